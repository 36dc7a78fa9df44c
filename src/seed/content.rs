//! Titles, summaries and Markdown bodies for demo messages, and small attachment files.

use fastrand::Rng;

/// Title, summary and body for a message in `service_id`, addressed to `{{recipientName}}`.
pub fn message(rng: &mut Rng, service_id: &str, year: i32) -> (String, Option<String>, String) {
    let case = rng.u32(10_000..99_999);
    let amount = rng.u32(500..90_000);
    let (title, summary, paragraph) = match service_id {
        "skatt-skattemelding" => (
            format!("Skattemeldingen for {} er klar", year - 1),
            Some("Kontroller opplysningene og lever innen fristen.".to_owned()),
            format!("Skattemeldingen for inntektsåret {} er klar. Gå gjennom opplysningene og rett det som er feil før fristen 30. april.", year - 1),
        ),
        "skatt-skatteoppgjor" => (
            format!("Skatteoppgjøret for {} er ferdig", year - 1),
            Some(format!("Du får {amount} kroner tilbake.")),
            format!("Skatteoppgjøret ditt er ferdig. Du får **{amount} kroner** tilbake, som blir utbetalt til kontonummeret som er registrert hos oss."),
        ),
        "skatt-mva-kontroll" => (
            format!("Varsel om kontroll av merverdiavgift, sak {case}"),
            Some("Vi ber om dokumentasjon for tre terminer.".to_owned()),
            format!("Vi skal kontrollere mva-meldingene for {year}. Send oss bilag og avstemminger for terminene 1 til 3 innen fristen. Saksnummer {case}."),
        ),
        "skatt-a-melding" => (
            "Tilbakemelding på a-meldingen".to_owned(),
            Some("A-meldingen er mottatt uten avvik.".to_owned()),
            "Vi har mottatt a-meldingen. Den inneholder ingen avvik som må rettes.".to_owned(),
        ),
        "skatt-restskatt" => (
            "Du har restskatt å betale".to_owned(),
            Some(format!("Restskatt på {amount} kroner.")),
            format!("Etter skatteoppgjøret har du **{amount} kroner** i restskatt. Betal innen forfall for å unngå renter."),
        ),
        "nav-vedtak" => (
            format!("Vedtak i saken din ({case})"),
            Some("Du har fått et vedtak fra NAV.".to_owned()),
            format!("Vi har behandlet søknaden din og fattet vedtak i sak {case}. Vedtaket og begrunnelsen ligger vedlagt. Du kan klage innen seks uker."),
        ),
        "nav-sykepenger-refusjon" => (
            format!("Refusjon av sykepenger, {amount} kroner"),
            None,
            format!("NAV har innvilget refusjon av sykepenger på **{amount} kroner** for perioden. Beløpet blir utbetalt til virksomhetens konto."),
        ),
        "nav-arbeidsgiver" => (
            "Informasjon til arbeidsgivere".to_owned(),
            Some("Endringer i rapportering av sykefravær.".to_owned()),
            "Fra neste måned endres rutinene for rapportering av sykefravær. Les mer om hva det betyr for dere.".to_owned(),
        ),
        "nav-tilbakekreving" => (
            format!("Varsel om tilbakekreving, sak {case}"),
            Some(format!("Vi vurderer å kreve tilbake {amount} kroner.")),
            format!("Du kan ha fått utbetalt **{amount} kroner** for mye. Du har rett til å uttale deg før vi fatter vedtak. Bekreft at du har lest varselet."),
        ),
        "nav-helseopplysninger" => (
            "Nye helseopplysninger i saken din".to_owned(),
            None,
            format!("Vi har mottatt nye helseopplysninger i sak {case}. Opplysningene er vedlagt."),
        ),
        "politi-straffesak" => (
            format!("Dokumenter i straffesak {case}"),
            None,
            format!("Vedlagt følger dokumenter i straffesak {case} til bruk i kommunens oppfølging. Dokumentene er underlagt taushetsplikt."),
        ),
        "politi-bekymringsmelding" => (
            format!("Bekymringsmelding, sak {case}"),
            None,
            format!("Politiet sender bekymringsmelding etter barnevernloven. Meldingen gjelder sak {case} og må behandles snarest."),
        ),
        "politi-gebyr" => (
            format!("Forelegg, referanse {case}"),
            Some(format!("Forelegg på {amount} kroner.")),
            format!("Du har fått et forelegg på **{amount} kroner**. Vedta forelegget ved å bekrefte og betale innen fristen."),
        ),
        "politi-pass" => (
            "Passet ditt er klart til henting".to_owned(),
            None,
            "Passet ditt er produsert og kan hentes på passkontoret du valgte. Ta med gyldig legitimasjon.".to_owned(),
        ),
        "politi-vapen" => (
            "Søknad om våpenkort er behandlet".to_owned(),
            None,
            format!("Søknaden din om våpenkort (sak {case}) er innvilget."),
        ),
        "vegvesen-eu-kontroll" => (
            "Frist for EU-kontroll nærmer seg".to_owned(),
            Some("Kjøretøyet må kontrolleres innen fristen.".to_owned()),
            "Kjøretøyet ditt må til periodisk kontroll (EU-kontroll) innen fristen. Bestill time hos et godkjent verksted.".to_owned(),
        ),
        "vegvesen-forerkort" => (
            "Førerkortet ditt er sendt".to_owned(),
            None,
            "Det nye førerkortet ditt er sendt i posten og kommer i løpet av en uke.".to_owned(),
        ),
        "vegvesen-tillatelser" => (
            format!("Dispensasjon for spesialtransport, sak {case}"),
            None,
            format!("Søknaden om dispensasjon for transport med stor bredde er innvilget (sak {case})."),
        ),
        "vegvesen-innkalling" => (
            "Innkalling til førerprøve".to_owned(),
            Some("Bekreft at du kommer.".to_owned()),
            "Du er kalt inn til praktisk førerprøve. Bekreft oppmøte, eller gi beskjed om du trenger ny time.".to_owned(),
        ),
        "fjellvik-eiendomsskatt" => (
            format!("Eiendomsskatt for {year}"),
            Some(format!("Årlig eiendomsskatt: {amount} kroner.")),
            format!("Eiendomsskatten for {year} er **{amount} kroner**, fordelt på to terminer."),
        ),
        "fjellvik-byggesak" => (
            format!("Vedtak i byggesak {case}"),
            Some("Søknaden om tiltak er behandlet.".to_owned()),
            format!("Søknaden om tiltak i byggesak {case} er godkjent med vilkår. Vedtaket kan påklages innen tre uker."),
        ),
        "fjellvik-barnehage" => (
            "Tilbud om barnehageplass".to_owned(),
            Some("Svar innen fristen.".to_owned()),
            "Barnet ditt har fått tilbud om barnehageplass fra august. Takk ja eller nei innen fristen.".to_owned(),
        ),
        _ => (
            format!("Faktura {case} fra Fjellvik kommune"),
            Some(format!("Beløp: {amount} kroner.")),
            format!("Vedlagt følger faktura {case} på **{amount} kroner** for kommunale gebyrer."),
        ),
    };
    let body = format!(
        "Hei {{{{recipientName}}}},\n\n{paragraph}\n\n## Hva må du gjøre?\n\n- Les meldingen og eventuelle vedlegg.\n\
         - Ta kontakt med oss om noe er uklart.\n\nMed vennlig hilsen\n"
    );
    (title, summary, body)
}

/// A one-page PDF showing `lines`, with a correct cross-reference table.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut text = String::from("BT /F1 12 Tf 72 760 Td 16 TL\n");
    for line in lines {
        let safe: String = line
            .chars()
            .map(|c| {
                if c.is_ascii() && c != '(' && c != ')' && c != '\\' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        text.push_str(&format!("({safe}) Tj T*\n"));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{obj}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
