//! The one-shot subcommands: `call`, `tools`, `check`, `new-key`, `completions`, `man`, the
//! hidden `health`, and (with the `sandbox` feature) `sandbox` and the hidden `simulator`.

pub mod call;
mod call_args;
pub mod check;
mod config_doc;
mod effective;
pub mod generate;
pub mod health;
mod manpage;
pub mod new_key;
#[cfg(feature = "sandbox")]
pub mod simulator;
pub mod tools;
