//! The one-shot subcommands: `call`, `tools`, `check`, `completions`, `man`, and the
//! hidden `simulator`.

pub mod call;
pub mod check;
pub mod generate;
pub mod simulator;
pub mod tools;
