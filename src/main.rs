fn main() -> std::process::ExitCode {
    ssodesk::cli::run()
}
