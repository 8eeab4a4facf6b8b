//! Number conversions with the .NET runner's exact rules: string → number
//! (`ExpressionUtility.ParseNumber`) and number → string (`"G15"` with the
//! invariant culture).

/// Converts a string to a number the way the runner coerces strings: trim,
/// empty is 0, then decimal, `0x` hex, `0o` octal or `±Infinity`; anything
/// else is NaN.
pub(crate) fn parse_number(s: &str) -> f64 {
    let s = s.trim();
    if s.is_empty() {
        return 0.0;
    }
    if let Some(value) = parse_decimal(s) {
        return value;
    }
    if let Some(digits) = s.strip_prefix("0x") {
        return parse_radix_i32(digits, 16);
    }
    if let Some(digits) = s.strip_prefix("0o") {
        return parse_radix_i32(digits, 8);
    }
    match s {
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        _ => f64::NAN,
    }
}

/// `Double.TryParse` with leading sign, decimal point and exponent allowed:
/// `[+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?`, plus the invariant culture's
/// `Infinity` / `NaN` symbols after an optional sign.
fn parse_decimal(s: &str) -> Option<f64> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let negative = matches!(bytes.first(), Some(b'-'));
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    match &s[i..] {
        "Infinity" => return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let int_digits = count_digits(&bytes[i..]);
    i += int_digits;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = count_digits(&bytes[i..]);
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = count_digits(&bytes[i..]);
        if exp_digits == 0 {
            return None;
        }
        i += exp_digits;
    }
    if i != bytes.len() {
        return None;
    }
    // The shape is validated above, so Rust's parser sees only forms it and
    // .NET agree on (it would also accept "inf" or "nan", which .NET does not).
    s.parse::<f64>().ok()
}

fn count_digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `Int32.TryParse(hex)` / `Convert.ToInt32(s, 8)`: up to 32 bits, read as a
/// two's-complement `Int32` (so `0xFFFFFFFF` is -1); wider values are NaN.
fn parse_radix_i32(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return f64::NAN;
    }
    let mut value: u64 = 0;
    for c in digits.chars() {
        let digit = u64::from(c.to_digit(radix).unwrap_or(0));
        value = value * u64::from(radix) + digit;
        if value > u64::from(u32::MAX) {
            return f64::NAN;
        }
    }
    // Truncation to 32 bits is the point: it reinterprets the bit pattern.
    f64::from(value as u32 as i32)
}

/// Formats a number like .NET `double.ToString("G15", InvariantCulture)`:
/// at most 15 significant digits, no trailing zeros, scientific notation
/// (`1E+15`, `1E-05`) when the exponent is below -4 or at least 15.
pub(crate) fn format_number(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if value == 0.0 {
        // Covers -0 as well: .NET prints it as "0" under G15.
        return "0".to_string();
    }
    // Rust rounds the exact binary value half-to-even, like .NET's Dragon4.
    let sci = format!("{:.14e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let sign = if value < 0.0 { "-" } else { "" };
    if !(-4..15).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}E{exp_sign}{:02}", exponent.abs());
    }
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("{sign}0.{zeros}{digits}");
    }
    let int_len = exponent as usize + 1;
    if digits.len() <= int_len {
        let zeros = "0".repeat(int_len - digits.len());
        format!("{sign}{digits}{zeros}")
    } else {
        let (int_part, frac_part) = digits.split_at(int_len);
        format!("{sign}{int_part}.{frac_part}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_runner_number_forms() {
        assert_eq!(parse_number(" 0xff "), 255.0);
        assert_eq!(parse_number("0xFFFFFFFF"), -1.0);
        assert!(parse_number("0x100000000").is_nan());
        assert!(parse_number("0X10").is_nan());
        assert_eq!(parse_number("0o777"), 511.0);
        assert_eq!(parse_number("+1.5e1"), 15.0);
        assert_eq!(parse_number("1."), 1.0);
        assert_eq!(parse_number(".5"), 0.5);
        assert_eq!(parse_number("+Infinity"), f64::INFINITY);
        assert_eq!(parse_number("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(parse_number(""), 0.0);
        for bad in [".", "1e", "inf", "nan", "-0xFF", "1.2.3", "0x", "abc", "1_000"] {
            assert!(parse_number(bad).is_nan(), "{bad}");
        }
    }

    #[test]
    fn formats_like_dotnet_g15() {
        let cases = [
            (123456.789, "123456.789"),
            (-0.0, "0"),
            (1e15, "1E+15"),
            (1e14, "100000000000000"),
            (123456789012345678.0, "1.23456789012346E+17"),
            (0.0001, "0.0001"),
            (0.00001, "1E-05"),
            (-1.5e-7, "-1.5E-07"),
            (1.2e-2, "0.012"),
            (-2.0, "-2"),
            (1e300, "1E+300"),
            (0.1 + 0.2, "0.3"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_number(value), expected, "{value:e}");
        }
        // More digits than a double holds, as written in the test data.
        let long: f64 = "0.84551240822557006".parse().unwrap_or_default();
        assert_eq!(format_number(long), "0.84551240822557");
    }
}
