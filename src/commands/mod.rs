//! The one-shot subcommands: `call`, `tools`, `check`, `new-key`, `completions`, `man`, and the
//! hidden `simulator`.

pub mod call;
mod call_args;
pub mod check;
mod config_doc;
mod effective;
pub mod generate;
mod manpage;
pub mod new_key;
pub mod simulator;
pub mod tools;
