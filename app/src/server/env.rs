//! Settings read from environment variables, parsed strictly: a value that does not
//! parse or is out of range is an error naming the variable, what it must be and the
//! value given, so a typo stops the start instead of quietly running with a default.

use std::{ops::RangeBounds, str::FromStr};

/// `name`'s value parsed as a `T` within `range`, or `None` when it is unset. `what`
/// says what it must be, for the error (`"a whole number from 1 to 16"`).
pub fn parsed<T, R>(name: &str, range: R, what: &str) -> Result<Option<T>, String>
where
    T: FromStr + PartialOrd,
    R: RangeBounds<T>,
{
    let Ok(v) = std::env::var(name) else {
        return Ok(None);
    };
    match v.trim().parse::<T>() {
        Ok(n) if range.contains(&n) => Ok(Some(n)),
        _ => Err(format!("{name} must be {what}, not {v:?}")),
    }
}

/// [`parsed`], with `default` when the variable is unset.
pub fn setting<T, R>(name: &str, default: T, range: R, what: &str) -> Result<T, String>
where
    T: FromStr + PartialOrd,
    R: RangeBounds<T>,
{
    Ok(parsed(name, range, what)?.unwrap_or(default))
}
