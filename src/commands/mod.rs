//! The one-shot subcommands: `call`, `tools`, `check`, `new-key`, `completions`, `man`, and
//! (with the `sandbox` feature) `sandbox` and the hidden `simulator`.

pub mod call;
mod call_args;
pub mod check;
mod config_doc;
mod effective;
pub mod generate;
mod manpage;
pub mod new_key;
#[cfg(feature = "sandbox")]
pub mod simulator;
pub mod tools;
