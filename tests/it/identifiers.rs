//! National identity numbers, D-numbers, synthetic test identities and organisation numbers.

use melding::domain::{IdError, NationalId, OrgNumber, PartyRef, TestIds};

/// Builds a valid number for a date part, trying individual numbers until check digits exist.
fn valid(ddmmyy: &str) -> String {
    (0..1000)
        .find_map(|n| NationalId::from_parts(ddmmyy, n))
        .expect("some valid number")
        .as_str()
        .to_owned()
}

#[test]
fn ordinary_numbers_need_both_check_digits_right() {
    let id = valid("010180");
    assert!(NationalId::parse(&id, TestIds::Refused).is_ok());
    // Change each check digit in turn: both are verified.
    for pos in [9, 10] {
        let mut bytes = id.clone().into_bytes();
        bytes[pos] = if bytes[pos] == b'9' {
            b'0'
        } else {
            bytes[pos] + 1
        };
        let broken = String::from_utf8(bytes).expect("ascii");
        assert_eq!(
            NationalId::parse(&broken, TestIds::Allowed),
            Err(IdError::Checksum),
            "{pos}"
        );
    }
}

#[test]
fn a_known_valid_number_and_its_mod11_arithmetic() {
    // 010180 + 123: k1 = 11 - (0*3+1*7+0*6+1*1+8*8+0*9+1*4+2*5+3*2) % 11 = 11 - 92 % 11 = 7
    // k2 = 11 - (0*5+1*4+0*3+1*2+8*7+0*6+1*5+2*4+3*3+7*2) % 11 = 11 - 98 % 11 = 1
    assert_eq!(
        NationalId::from_parts("010180", 123).map(|n| n.as_str().to_owned()),
        Some("01018012371".to_owned())
    );
    assert!(NationalId::parse("01018012371", TestIds::Refused).is_ok());
}

#[test]
fn d_numbers_add_four_to_the_first_digit() {
    let d = valid("410180");
    assert!(
        NationalId::parse(&d, TestIds::Refused).is_ok(),
        "a D-number is a real identity"
    );
}

#[test]
fn synthetic_identities_only_when_allowed() {
    for born in ["018180", "014180"] {
        let synthetic = valid(born);
        assert!(
            NationalId::parse(&synthetic, TestIds::Allowed).is_ok(),
            "{born}"
        );
        assert_eq!(
            NationalId::parse(&synthetic, TestIds::Refused),
            Err(IdError::Synthetic),
            "{born}"
        );
    }
}

#[test]
fn malformed_numbers_are_refused_with_a_reason() {
    assert_eq!(
        NationalId::parse("123", TestIds::Allowed),
        Err(IdError::Length(11))
    );
    assert_eq!(
        NationalId::parse("0101801237a", TestIds::Allowed),
        Err(IdError::Length(11))
    );
    // Valid check digits but an impossible date (month 13).
    let bad_month = (0..1000)
        .find_map(|n| NationalId::from_parts("011380", n))
        .expect("digits");
    assert_eq!(
        NationalId::parse(bad_month.as_str(), TestIds::Allowed),
        Err(IdError::Date)
    );
}

#[test]
fn national_ids_never_print_in_full() {
    let id = NationalId::parse("01018012371", TestIds::Refused).expect("valid");
    assert_eq!(id.masked(), "010180 *****");
    assert!(!format!("{id:?}").contains("12371"));
}

#[test]
fn organisation_numbers_use_mod11_and_show_in_groups() {
    let org = OrgNumber::parse("974760673").expect("valid");
    assert_eq!(org.to_string(), "974 760 673");
    assert!(
        OrgNumber::parse("974 760 673").is_ok(),
        "spaces are tolerated"
    );
    assert_eq!(OrgNumber::parse("974760672"), Err(IdError::Checksum));
    assert_eq!(OrgNumber::parse("97476067"), Err(IdError::Length(9)));
    // A base whose check digit would be 10 has no valid number.
    let without: Vec<u32> = (10_000_000..10_000_100)
        .filter(|b| OrgNumber::from_base(*b).is_none())
        .collect();
    assert!(!without.is_empty());
}

#[test]
fn party_references_accept_urns_short_forms_and_bare_numbers() {
    let person = "urn:altinn:person:identifier-no:01018012371";
    assert!(matches!(
        PartyRef::parse(person, TestIds::Refused),
        Ok(PartyRef::Person(_))
    ));
    let org = PartyRef::parse("0192:974760673", TestIds::Refused).expect("short form");
    assert_eq!(org.urn(), "urn:altinn:organization:identifier-no:974760673");
    assert!(matches!(
        PartyRef::parse("974760673", TestIds::Refused),
        Ok(PartyRef::Organization(_))
    ));
    assert_eq!(
        PartyRef::parse("urn:other:1", TestIds::Refused),
        Err(IdError::Reference)
    );
}
