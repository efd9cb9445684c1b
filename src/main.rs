#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(lexguard::cli::run(std::env::args_os()))
}
