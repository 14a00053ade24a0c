//! Postcodes and postcode districts as typed into forms and query strings.
#![no_main]

use bespoke::domain::places::{parse_postcode, Places};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let places = Places::get();
    let parsed = parse_postcode(text);
    if let Ok(place) = places.resolve(text) {
        // A resolved place resolves again, from its own district, to the same district.
        let district = place.district.code.clone();
        let again = places.resolve(&district).expect("a district resolves");
        assert_eq!(again.district.code, district);
        assert!(parsed.is_ok(), "{text:?} resolved but did not parse");
    }
    if let Ok(input) = parsed {
        assert!(!input.district().is_empty());
        if let Some(full) = input.full_postcode() {
            assert_eq!(parse_postcode(&full).map(|p| p.district().to_owned()), Ok(input.district().to_owned()));
        }
    }
});
