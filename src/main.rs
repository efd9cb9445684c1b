use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(lexguard::cli::run(std::env::args_os()))
}
