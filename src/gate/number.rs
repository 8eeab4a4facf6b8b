//! How numbers read in the gate's table: short and stable, so the same
//! metrics always print the same text and float noise
//! (`0.30000000000000004`) never shows.

/// Up to 4 decimals (`0.93`, `1234.5679`), at least 4 significant digits
/// for small values (`0.0001235`), scientific beyond (`1.5e-12`, `2e+20`).
pub fn number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let magnitude = x.abs();
    if magnitude == 0.0 {
        return "0".to_string();
    }
    if !(1e-9..1e15).contains(&magnitude) {
        return scientific(x);
    }
    // Digits after the point that keep 4 significant ones: 4 down to 0.01, more below.
    let leading_zeros = (-magnitude.log10().floor()).max(0.0) as usize;
    let decimals = 4.max(leading_zeros + 3).min(12);
    let text = trim_zeros(format!("{x:.decimals$}"));
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

/// A change with its sign: `+0.02`, `-0.0125`, `0`.
pub fn signed(x: f64) -> String {
    let text = number(x);
    if x > 0.0 && text != "0" && x.is_finite() {
        format!("+{text}")
    } else {
        text
    }
}

/// A percentage with its sign and two decimals: `+1.25%`, `-2.15%`, `0.00%`.
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return number(x);
    }
    let text = format!("{x:+.2}%");
    if text == "+0.00%" || text == "-0.00%" {
        "0.00%".to_string()
    } else {
        text
    }
}

/// An amount given in a rule's reason, without a sign (`2%` → `2`).
pub fn plain_percent(x: f64) -> String {
    format!("{}%", trim_zeros(format!("{x:.2}")))
}

fn scientific(x: f64) -> String {
    let text = format!("{x:.3e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let exponent = if exponent.starts_with('-') {
                exponent.to_string()
            } else {
                format!("+{exponent}")
            };
            format!("{}e{exponent}", trim_zeros(mantissa.to_string()))
        }
        None => text,
    }
}

fn trim_zeros(text: String) -> String {
    if !text.contains('.') {
        return text;
    }
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_free_of_float_noise() {
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(0.93), "0.93");
        assert_eq!(number(0.92 - 0.93), "-0.01");
        assert_eq!(number(1234.56789), "1234.5679");
        assert_eq!(number(42.0), "42");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-0.00001), "-0.00001");
        assert_eq!(number(0.00012346), "0.0001235");
        assert_eq!(number(0.005), "0.005");
        assert_eq!(number(1.5e-12), "1.5e-12");
        assert_eq!(number(2e20), "2e+20");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(signed(0.02), "+0.02");
        assert_eq!(signed(-0.0125), "-0.0125");
        assert_eq!(signed(0.0), "0");
        assert_eq!(percent(2.1505), "+2.15%");
        assert_eq!(percent(-1.0 / 3.0), "-0.33%");
        assert_eq!(percent(-0.001), "0.00%");
        assert_eq!(plain_percent(2.0), "2%");
        assert_eq!(plain_percent(2.5), "2.5%");
        assert_eq!(plain_percent(100.0 / 3.0), "33.33%");
    }
}
