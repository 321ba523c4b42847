fn main() -> std::process::ExitCode {
    trailguard::app::main()
}
