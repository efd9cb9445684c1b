//! (json reporter: being written.)
use std::io::{self, Write};

use super::{RenderOptions, Report};

pub fn render(_report: &Report, _options: &RenderOptions, _out: &mut dyn Write) -> io::Result<()> {
    todo!()
}
