//! The one locking rule every part of the simulator shares: a poisoned mutex is still used.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, ignoring poisoning (a panicked test must not wedge the simulator).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
