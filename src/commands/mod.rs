//! The one-shot subcommands: `call`, `tools`, `check`, `new-key`, `completions`, `man`, the
//! hidden `health`, and (with the `sandbox` feature) `sandbox` and the hidden `simulator`.

pub(crate) mod call;
mod call_args;
pub(crate) mod check;
mod config_doc;
mod effective;
pub(crate) mod generate;
pub(crate) mod health;
mod manpage;
pub(crate) mod new_key;
pub(crate) mod readme_tools;
#[cfg(feature = "sandbox")]
pub(crate) mod simulator;
pub(crate) mod tools;
