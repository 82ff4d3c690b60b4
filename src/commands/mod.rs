//! The one-shot subcommands: `call`, `tools`, `check`, `new-key`, `completions`, `man`, and the
//! hidden `simulator` and `health`.

pub mod call;
mod call_args;
pub mod check;
mod effective;
pub mod generate;
pub mod health;
mod manpage;
pub mod new_key;
pub mod simulator;
pub mod tools;
