//! Money, percentages and quantities as people and programs type them.
#![no_main]

use bespoke::domain::money::{Money, Percent};
use bespoke::domain::quantity::Quantity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for parsed in [Money::parse(text), Money::parse_lenient(text)] {
        if let Ok(money) = parsed {
            // Whatever is accepted is whole pence, never negative, and reads
            // back as the very same amount from the API's own form.
            assert!(!money.is_negative(), "{text:?} gave a negative amount");
            let shown = money.to_decimal().to_string();
            assert_eq!(Money::parse(&shown), Ok(money), "{text:?} -> {shown}");
            assert!(money.display_gbp().starts_with('£'));
        }
    }
    if let Ok(percent) = Percent::parse(text) {
        assert_eq!(Percent::from_stored(percent.to_stored()), percent, "{text:?}");
        let fee = Money::from_pence(10_000_000_000).percent(percent);
        assert!(fee.is_ok(), "{text:?}: a percentage of the largest amount (£100,000,000) must not overflow");
    }
    if let Ok(quantity) = Quantity::parse(text) {
        assert_eq!(Quantity::from_hundredths(quantity.hundredths()), quantity, "{text:?}");
    }
});
