//! A cheap look at a JSON body before anything parses it: how deep it nests and how many
//! values it holds. Parsing `[0,0,0,…]` into `serde_json::Value` costs dozens of bytes per
//! input byte, so a body is measured first (one pass, no allocation) and refused when it
//! would expand beyond the limits. Malformed JSON passes; the parser reports it.

/// Why a body is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum ShapeError {
    #[error(
        "the message nests arrays and objects deeper than {limit} levels (see --max-json-depth)"
    )]
    TooDeep { limit: usize },
    #[error("the message holds more than {limit} JSON values (see --max-json-values)")]
    TooManyValues { limit: usize },
}

/// The limits a body is measured against.
#[derive(Clone, Copy, Debug)]
pub(super) struct ShapeLimits {
    pub max_depth: usize,
    pub max_values: usize,
}

/// Checks `body` against `limits`. Values are counted as one per array or object plus one
/// per element or member (each `,` adds one), so `[0,0,0]` is 4 and `{"a":1}` is 2.
pub(super) fn check(body: &[u8], limits: ShapeLimits) -> Result<(), ShapeError> {
    let mut depth = 0usize;
    let mut values = 1usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                values += 1;
                if depth > limits.max_depth {
                    return Err(ShapeError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => values += 1,
            _ => continue,
        }
        if values > limits.max_values {
            return Err(ShapeError::TooManyValues {
                limit: limits.max_values,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ShapeLimits = ShapeLimits {
        max_depth: 3,
        max_values: 10,
    };

    #[test]
    fn counts_depth_and_values_outside_strings_only() {
        assert!(check(br#"{"a":[1,2,{"b":3}]}"#, LIMITS).is_ok());
        assert_eq!(
            check(b"[[[[]]]]", LIMITS),
            Err(ShapeError::TooDeep { limit: 3 })
        );
        assert_eq!(
            check(b"[0,0,0,0,0,0,0,0,0,0,0]", LIMITS),
            Err(ShapeError::TooManyValues { limit: 10 })
        );
        // Brackets and commas inside strings, escaped quotes included, do not count.
        assert!(check(br#"{"note":"[[[[,,,,,,,,,,,,\"[[[[,,,,,"}"#, LIMITS).is_ok());
        assert!(check(br#"["\\",1]"#, LIMITS).is_ok());
    }

    #[test]
    fn a_real_tools_call_is_far_below_the_defaults() {
        let call = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add_note","arguments":{"lead_id":9001,"note":"x"},"_meta":{"progressToken":1}}}"#;
        let limits = ShapeLimits {
            max_depth: 5,
            max_values: 16,
        };
        assert!(check(call, limits).is_ok());
    }
}
