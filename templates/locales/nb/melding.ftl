skip-to-content = Hopp til hovedinnhold
language-nav = Språk
demo-banner = Demo: alle personer, virksomheter og meldinger er oppdiktet. E-post og SMS sendes ikke, men samles i en utboks for utviklere.
footer-text = melding er en åpen plattform for digital post fra offentlige virksomheter.
footer-accessibility = Tilgjengelighetserklæring

home-title = Digital post fra det offentlige
home-lead = Les brev fra Skatteetaten, NAV, politiet, kommunen og andre offentlige virksomheter – for deg selv eller for virksomheten du representerer.
home-features-heading = Dette kan du gjøre
home-feature-inbox-title = Innboks
home-feature-inbox = Les, last ned vedlegg, bekreft og arkiver meldinger for deg selv og for alle du representerer.
home-feature-access-title = Tilganger
home-feature-access = Se hvilke tilganger du har og hvorfor. Hovedadministratorer delegerer tilgang og varsles når ingen kan lese en type post.
home-feature-notify-title = Varsler
home-feature-notify = Du får varsel på e-post og SMS når det kommer ny post, og en påminnelse etter en uke hvis den ikke er åpnet.
home-feature-api-title = For fagsystemer
home-feature-api = Sak- og arkivsystemer henter og sender post gjennom et JSON-API.
home-personas-heading = Demopersoner
home-personas-intro = I demoen kan du logge inn som en av disse syntetiske personene ved å skrive inn fødselsnummeret i testinnloggingen.
persona-name = Navn
persona-national-id = Fødselsnummer (syntetisk)
persona-role = Hvem er dette?
persona-citizen = Innbygger med egen post, daglig leder i Nordmann Rørlegger AS.
persona-accountant = Regnskapsfører for 300 klienter.
persona-municipal-admin = Kommunedirektør og hovedadministrator i Fjellvik kommune, der ingen kan lese taushetsbelagt post til barnevernet.
persona-municipal-clerk = Saksbehandler i Fjellvik kommune med delegert tilgang til ordinær post.
persona-sender = Saksbehandler som sender meldinger for Skatteetaten og NAV.
persona-d-number = Innbygger med D-nummer.
persona-reserved = Innbygger som har reservert seg mot digital post.
persona-auditor = Revisor for et titall virksomheter.

error-status = Feilkode { $status }
error-correlation = Oppgi denne referansen hvis du kontakter oss:
error-home-link = Gå til forsiden
error-404-heading = Vi fant ikke siden
error-404-text = Siden finnes ikke, eller du har ikke tilgang til den. Sjekk at adressen er riktig.
error-403-heading = Du har ikke tilgang
error-403-text = Du mangler tilgang til å gjøre dette.
error-400-heading = Forespørselen kunne ikke behandles
error-400-text = Noe i forespørselen var ugyldig. Gå tilbake og prøv igjen.
error-500-heading = Noe gikk galt hos oss
error-500-text = Det oppstod en feil. Ingenting av det du sendte, er tapt. Prøv igjen om litt.
error-503-heading = Tjenesten er midlertidig utilgjengelig
error-503-text = Vi får ikke kontakt med en del av tjenesten akkurat nå. Prøv igjen om litt.

a11y-title = Tilgjengelighetserklæring
a11y-intro = melding skal kunne brukes av alle. Denne erklæringen beskriver hvordan tjenesten oppfyller kravene til universell utforming.
a11y-standard-heading = Standard
a11y-standard = Tjenesten er laget for å oppfylle WCAG 2.1 nivå AA, slik forskrift om universell utforming av IKT-løsninger krever.
a11y-how-heading = Slik jobber vi
a11y-how-nojs = Alle sider virker uten JavaScript.
a11y-how-keyboard = Alt kan brukes med tastatur, og fokus er alltid synlig.
a11y-how-tested = Sidene testes automatisk med axe-core i en ekte nettleser ved hver endring.
a11y-how-languages = Alle tekster finnes på bokmål, nynorsk og engelsk.
a11y-feedback-heading = Tilbakemelding
a11y-feedback = Har du funnet noe som ikke virker for deg? Kontakt virksomheten som drifter tjenesten, eller klag til Tilsynet for universell utforming av IKT.

login = Logg inn
logout = Logg ut
step-up-heading = Denne siden krever høyere sikkerhetsnivå
step-up-text = Du er logget inn på nivå betydelig. For å se denne siden må du logge inn på nivå høyt, for eksempel med BankID.
step-up-link = Logg inn med høyere sikkerhetsnivå
login-failed-heading = Innloggingen mislyktes
login-failed-text = Vi kunne ikke fullføre innloggingen. Lenken kan være brukt før eller utløpt, eller sikkerhetsnivået var for lavt. Prøv å logge inn på nytt.
login-failed-other-browser = Denne innloggingen ble startet i en annen nettleser eller et annet vindu. Av sikkerhetshensyn er du ikke logget inn. Vil du logge inn, start på nytt her.
login-try-again = Logg inn på nytt
logged-out-heading = Du er logget ut
logged-out-text = Du er logget ut av melding og ID-porten. Lukk nettleseren hvis du bruker en delt datamaskin.
demo-login-title = Testinnlogging (demo)
demo-login-intro = Dette er demoens innlogging, som ligner ID-portens testinnlogging. Skriv inn et syntetisk fødselsnummer, eller velg en av demopersonene.
demo-login-level = Sikkerhetsnivå
demo-login-level-substantial = Betydelig (for eksempel MinID)
demo-login-level-high = Høyt (for eksempel BankID)
demo-login-national-id = Fødselsnummer
demo-login-submit = Logg inn
demo-login-personas = Eller logg inn som en demoperson
demo-login-invalid = Fødselsnummeret er ikke gyldig: { $reason }
id-error-length-11 = det må være 11 siffer
id-error-length-9 = det må være 9 siffer
id-error-checksum = kontrollsifrene stemmer ikke
id-error-date = fødselsdatoen finnes ikke
id-error-synthetic = syntetiske testidentiteter godtas ikke her
id-error-reference = det er ikke et fødselsnummer eller organisasjonsnummer

nav-access = Tilganger
access-mine-title = Mine tilganger
access-mine-intro = Her ser du hvem du kan representere, hvilke tilganger du har for hver av dem, og hvor tilgangen kommer fra.
access-search-label = Søk etter navn eller organisasjonsnummer
access-search-button = Søk
access-none-found = Ingen treff.
access-yourself = Deg selv: du kan alltid lese din egen post.
access-nothing-held = Du har ingen tilgangspakker her ennå.
access-confidential = Taushetsbelagt
access-administer-link = Administrer tilganger for denne virksomheten
access-next-page = Vis flere
access-log-mine = Endringer i dine tilganger
access-log-empty = Ingen endringer er registrert.
access-admin-title = Tilgangsstyring
access-back-to-mine = Tilbake til mine tilganger
access-done-granted = Tilgangen er gitt.
access-done-revoked = Tilgangen er fjernet.
access-warning-heading = Ingen har tilgangen «{ $package }»
access-warning-text = Virksomheten kan ha meldinger som ingen kan lese. Gi tilgangen til noen som skal følge opp denne posten.
access-warning-messages = Uleste meldinger som ingen kan lese (tittel og innhold vises ikke)
access-col-sender = Avsender
access-col-service = Tjeneste
access-col-recipient = Mottaker
access-col-date = Dato
access-warning-grant = Gi tilgang nå
access-people-heading = Personer med tilgang
access-revoke = Fjern «{ $what }»
access-grant-heading = Gi tilgang
access-grant-intro = Finn personen med fødselsnummer og etternavn, og velg en tilgangspakke eller en enkelttjeneste.
form-has-errors = Rett opp dette før du går videre:
access-grant-national-id = Fødselsnummer
access-grant-last-name = Etternavn
access-grant-what = Tilgang
access-grant-choose = Velg tilgang
access-grant-packages = Tilgangspakker
access-grant-services = Enkelttjenester
access-grant-submit = Gi tilgang
access-systems-heading = Systemer med tilgang
access-systems-intro = Systemene til en virksomhet (for eksempel fagsystemet til regnskapsføreren eller arkivet deres) kan hente, lese og bekrefte denne posten gjennom API-et når dere gir virksomheten tilgang her. En tjenesteeier kan også la en formidler sende for seg.
access-systems-none = Ingen virksomheters systemer har tilgang.
access-system-grant-heading = Gi systemene til en virksomhet tilgang
access-system-org-number = Organisasjonsnummer
access-system-grant-submit = Gi tilgang
system-error-no-organisation = Vi fant ingen virksomhet med dette nummeret.
system-error-already-held = Virksomheten har allerede denne tilgangen.
access-packages-heading = Oversikt per tilgangspakke
access-col-package = Tilgangspakke
access-col-holders = Hvem har den
access-no-holder = Ingen
access-log-heading = Endringslogg
source-role = via rollen din som { $role } i Enhetsregisteret
source-delegated-by = delegert av { $name } { $date }
source-delegated = gitt { $date }
source-via-main-unit = (arvet fra hovedenheten { $unit })
event-granted = { $actor } ga { $person } tilgangen «{ $what }» for { $party }.
event-revoked = { $actor } fjernet tilgangen «{ $what }» for { $person } i { $party }.
grant-error-national-id = Fødselsnummeret er ikke gyldig: { $reason }
grant-error-last-name = Skriv etternavnet til personen.
grant-error-what = Velg hvilken tilgang personen skal få.
grant-error-no-person = Vi fant ingen person med dette fødselsnummeret og etternavnet.
grant-error-not-allowed = Du kan ikke gi denne tilgangen.
grant-error-already-held = Personen har allerede denne tilgangen.

nav-inbox = Innboks
inbox-title = Innboks
inbox-change-party = Bytt hvem du representerer
inbox-done-inbox = Meldingen er flyttet til innboksen.
inbox-done-archive = Meldingen er flyttet til arkivet.
inbox-done-bin = Meldingen er flyttet til papirkurven.
inbox-done-confirmed = Meldingen er bekreftet.
inbox-folders = Mapper
folder-inbox = Innboks
folder-archive = Arkiv
folder-bin = Papirkurv
inbox-unread-suffix = uleste
inbox-search-label = Søk i meldinger
inbox-search-short = Skriv minst tre tegn for å søke.
inbox-filter-read = Lest
inbox-filter-all = Alle
inbox-filter-unread = Uleste
inbox-filter-read-only = Leste
inbox-filter-service = Tjeneste
inbox-filter-due = Frist
inbox-filter-due-soon = Frist innen sju dager
inbox-filter-overdue = Fristen er passert
inbox-filter-from = Fra dato
inbox-filter-to = Til dato
inbox-sort = Sortering
inbox-sort-newest = Nyeste først
inbox-sort-due = Frist
inbox-filter-more = Flere valg
inbox-filter-confirm = Må bekreftes
inbox-filter-attachments = Har vedlegg
inbox-filter-apply = Vis
inbox-unopenable-heading = Det finnes { $count ->
    [one] én melding
   *[other] { $count } meldinger
} her som du ikke kan åpne
inbox-unopenable-from = Fra
inbox-unopenable-no-admin = Virksomheten har ingen hovedadministrator som kan gi tilgang. Kontakt avsenderen.
inbox-unopenable-admins = Disse kan gi deg tilgang: { $names }.
inbox-empty = Ingen meldinger her.
inbox-unread = Ulest
inbox-needs-high = Krever høyere sikkerhetsnivå
inbox-needs-confirmation = Må bekreftes
inbox-attachments = { $count } vedlegg
inbox-older = Eldre meldinger
inbox-locked-title = Melding som krever innlogging på høyt sikkerhetsnivå
inbox-overdue = Fristen gikk ut { $date }
inbox-due-soon = Frist { $date }
inbox-due = Frist { $date }
picker-title = Hvem vil du representere?
inbox-filter-sender = Avsender
inbox-to = Til
inbox-combined-hint = Viser post til alle du representerer av denne typen. Åpne en melding for å flytte eller merke den.
picker-all-organizations = Alle virksomheter
picker-all-persons = Alle personer
picker-combined = Samlet visning
picker-show-deleted = Vis slettede
picker-deleted = Slettet
picker-me = Deg selv
picker-favourites = Favoritter
picker-others = Alle du kan representere
picker-favourite = Legg til i favoritter
picker-unfavourite = Fjern fra favoritter
message-back = Tilbake til innboksen
message-confirmed-now = Takk, meldingen er bekreftet.
message-from = Fra
message-to = Til
message-service = Tjeneste
message-published = Mottatt
message-status = Status
message-due = Frist
message-reply = Svar
message-attachments = Vedlegg
message-attachments-withheld = Du har ikke tilgang til å åpne vedleggene. En hovedadministrator kan gi deg tilgangen.
message-confirmation = Bekreftelse
message-confirmed-at = Bekreftet { $when }.
message-confirm = Bekreft
message-move-inbox = Flytt til innboksen
message-move-archive = Arkiver
message-move-bin = Flytt til papirkurven
message-seen-by = Sett av
message-why = Hvorfor kan du se denne?
message-activity = Hendelser
seen-you = Deg
activity-someone = noen
activity-notification-sent = { $kind } sendt på { $channel } til { $address }
activity-notification-delivered = { $kind } levert på { $channel } til { $address }
activity-notification-failed = { $kind } på { $channel } til { $address } feilet
notification-kind-initial = Varsel
notification-kind-reminder = Påminnelse
notification-kind-forward = Videresending
channel-email = e-post
channel-sms = SMS
status-Initialized = Opprettet
status-ReadyForPublish = Klar for publisering
status-Published = Publisert
status-Fetched = Hentet
status-Read = Lest
status-Replied = Besvart
status-Confirmed = Bekreftet
status-PurgedByRecipient = Slettet av mottaker
status-PurgedByService = Trukket tilbake av avsender
status-Archived = Arkivert
status-Reserved = Reservert
status-Failed = Feilet
status-AttachmentsDownloaded = Vedlegg lastet ned
activity-Published = Publisert
activity-Fetched = Lastet ned til fagsystemet til { $who }
activity-Read = Åpnet av { $who }
activity-Replied = Besvart av { $who }
activity-Confirmed = Bekreftet av { $who }
activity-PurgedByRecipient = Slettet av { $who }
activity-PurgedByService = Trukket tilbake av avsender
activity-Archived = Arkivert av { $who }
activity-Reserved = Mottakeren har reservert seg mot digital post
activity-Failed = Kunne ikke leveres
activity-AttachmentsDownloaded = Vedlegg lastet ned av { $who }
inbox-bulk-label = Med valgte meldinger:
inbox-bulk-read = Merk som lest
inbox-bulk-unread = Merk som ulest
inbox-select = Velg meldingen
inbox-done-bulk-none = Ingen meldinger var valgt. Kryss av for meldingene først, og velg så hva som skal gjøres med dem.
inbox-done-bulk-read = { $count ->
    [one] Én melding er merket som lest.
   *[other] { $count } meldinger er merket som lest.
}
inbox-done-bulk-unread = { $count ->
    [one] Én melding er merket som ulest.
   *[other] { $count } meldinger er merket som ulest.
}
inbox-done-bulk-inbox = { $count ->
    [one] Én melding er flyttet til innboksen.
   *[other] { $count } meldinger er flyttet til innboksen.
}
inbox-done-bulk-archive = { $count ->
    [one] Én melding er flyttet til arkivet.
   *[other] { $count } meldinger er flyttet til arkivet.
}
inbox-done-bulk-bin = { $count ->
    [one] Én melding er flyttet til papirkurven.
   *[other] { $count } meldinger er flyttet til papirkurven.
}
message-download-all = Last ned alle vedlegg (ZIP)
message-print = Utskriftsvisning
message-print-close = Lukk utskriftsvisning
inbox-filter-period = Periode
inbox-filter-period-days = Siste { $days } dager

nav-admin = Send post
admin-title = Send post for en tjenesteeier
admin-choose-owner = Velg hvilken tjenesteeier du vil sende post for.
admin-nav = Tjenesteeier
admin-services = Meldingstjenester
admin-compose = Skriv melding
admin-sent = Sendt
level-substantial = Betydelig
level-high = Høyt
services-title = Meldingstjenester
services-saved = Tjenesten er lagret.
services-new = Ny meldingstjeneste
services-edit = Endre meldingstjeneste
services-none = Ingen meldingstjenester ennå.
services-col-service = Tjeneste
services-col-id = Tjeneste-ID
services-col-level = Sikkerhetsnivå
services-col-sent = Sendte meldinger
services-save = Lagre tjenesten
service-id-help = Små bokstaver, tall og bindestrek, for eksempel skatt-varsel. Kan ikke endres senere.
service-texts-in = Tekster på { $language }
service-title = Tittel
service-description = Beskrivelse
service-packages = Hvem kan lese: tilgangspakker (én av dem er nok)
service-level = Laveste sikkerhetsnivå for å lese
service-confidential = Taushetsbelagt: gis bare ved delegering fra hovedadministrator
service-attachment-package = Egen tilgang for vedlegg
service-attachment-none = Ingen egen tilgang
service-reminder-days = Revarsling etter antall dager
service-notice-initial = Standardtekst for varsel
service-notice-reminder = Standardtekst for revarsel
notice-email-subject = E-post: emne
notice-email-body = E-post: tekst
notice-sms = SMS-tekst
notice-tokens = Du kan bruke $sendersName$, $correspondenceRecipientName$, $resourceName$ og $messageTitle$. Varsler inneholder aldri selve meldingen.
service-error-id = Skriv 2–100 tegn: små bokstaver, tall og bindestrek, og begynn med bokstav eller tall.
service-error-title = Skriv en tittel på høyst 255 tegn.
service-error-description = Beskrivelsen kan være på høyst 2000 tegn.
service-error-packages = Velg minst én tilgangspakke fra listen.
service-error-level = Velg et sikkerhetsnivå fra listen.
service-error-reminder = Skriv et helt antall dager fra 1 til 60.
service-error-text = Fyll ut emne, tekst og SMS-tekst sammen (eller la alle tre stå tomme), innenfor lengdegrensene.
service-error-taken = Denne tjeneste-ID-en er allerede i bruk.
compose-service = Meldingstjeneste
compose-recipients = Mottakere: fødselsnumre eller organisasjonsnumre, ett per linje
compose-reference = Avsenders referanse
compose-display-sender = Avsendernavn som vises (valgfritt)
compose-language = Språk
compose-title = Tittel
compose-summary = Sammendrag (valgfritt)
compose-body = Meldingstekst (Markdown)
compose-preview = Forhåndsvis
compose-publish-at = Publiseres (norsk tid, tomt betyr nå)
compose-due-at = Frist (norsk tid)
compose-confirmation = Mottakeren må bekrefte meldingen
compose-reply-link = Svarlenke
compose-reply-url = Adresse (https)
compose-reply-text = Lenketekst
compose-external-reference = Ekstern referanse
compose-ref-type = Type
compose-ref-value = Verdi
compose-notification = Varsling
compose-channel = Kanal
channel-Email = E-post
channel-Sms = SMS
channel-EmailPreferred = E-post, ellers SMS
channel-SmsPreferred = SMS, ellers e-post
channel-EmailAndSms = Både e-post og SMS
compose-reminder = Send revarsel hvis meldingen ikke er åpnet
compose-sms-any-time = SMS kan sendes hele døgnet
compose-notice-custom = Egen varseltekst (valgfritt; ellers brukes tjenestens).
compose-ignore-reservation = Send også til personer som har reservert seg mot digital post
compose-ignore-reason = Begrunnelse for å overstyre reservasjonen
compose-check = Kontroller mottakerne
compose-send = Send
compose-send-anyway = Send likevel. Jeg vet at ingen hos disse mottakerne kan lese meldingen nå, og at det kan trengs papirpost.
compose-error-service = Velg en meldingstjeneste fra listen.
compose-error-recipients-invalid = Disse er ikke gyldige fødselsnumre eller organisasjonsnumre: { $list }
compose-error-recipients-unknown = Vi finner ingen mottaker med: { $list }
compose-error-recipients-none = Skriv minst én mottaker.
compose-error-recipients-many = Høyst { $max } mottakere i skjemaet. Bruk CSV-opplasting for flere.
compose-error-reference = Skriv avsenders referanse (høyst 4096 tegn).
compose-error-display-sender = Avsendernavnet kan være på høyst 255 tegn, på én linje.
compose-error-language = Velg bokmål, nynorsk eller engelsk.
compose-error-title = Skriv en tittel på én linje, høyst 255 tegn.
compose-error-summary = Sammendraget kan være på høyst 255 tegn, på én linje.
compose-error-body = Skriv meldingsteksten (høyst 30 000 tegn).
compose-error-time = Skriv dato og klokkeslett som ÅÅÅÅ-MM-DDTtt:mm.
compose-error-due-needed = En melding som må bekreftes, trenger en frist.
compose-error-due-past = Fristen kan ikke være passert.
compose-error-due-before-publish = Fristen kan ikke være før publisering.
compose-error-reply-url = Skriv en fullstendig https-adresse på høyst 255 tegn.
compose-error-reply-text = Skriv en lenketekst på høyst 255 tegn.
compose-error-reference-pair = Fyll ut både type og verdi (høyst 255 tegn).
compose-error-channel = Velg en varslingskanal fra listen.
compose-error-ignore-reason = Skriv hvorfor reservasjonen skal overstyres.
compose-error-send-anyway = Ingen kan lese meldingen hos minst én mottaker. Kryss av for «Send likevel» for å sende.
input-error-nul = Feltet inneholder et tegn som ikke kan lagres (NUL, tegn 0). Fjern det og prøv igjen.
input-error-utf8 = Feltet inneholder byte som ikke er tekst (ikke UTF-8). Skriv det inn på nytt og send skjemaet igjen.
form-error-unreadable = Skjemaet kunne ikke leses helt: et filnavn eller felt inneholdt tegn som ikke kan sendes. Velg filen på nytt og send igjen.
compose-error-references-many = Høyst 10 eksterne referanser.
compose-error-properties-many = Høyst 10 egenskaper.
compose-error-property = En egenskap trenger et navn på høyst 50 tegn og en verdi på høyst 300.
compose-error-idempotency-key = Idempotensnøkkelen må ha 1 til 255 tegn.
compose-error-sender = Avsenderen må være tjenesteeieren det sendes for (0192: og organisasjonsnummeret).
preflight-heading = Kontroll før sending
preflight-summary = { $total ->
    [one] Én mottaker
   *[other] { $total } mottakere
}: { $ready } klare, { $reserved } reservert, { $nobody } der ingen kan lese, { $deleted } slettet.
preflight-ready = Klar
preflight-reserved = Reservert
preflight-nobody = Ingen kan lese
preflight-deleted = Slettet
preflight-addresses = { $emails } e-post, { $phones } mobil
preflight-nobody-warning = Hos minst én mottaker har ingen tilgang til å lese denne meldingen. Den blir liggende ulest til noen får tilgang. Vurder å sende på papir.
preflight-confidential = Tjenesten er taushetsbelagt: mottakerens hovedadministrator må delegere tilgangspakken for taushetsbelagt post (eller tjenesten) til noen som skal lese.
preflight-col-recipient = Mottaker
preflight-col-outcome = Resultat
preflight-col-readers = Kan lese
preflight-col-addresses = Varslingsadresser
sent-none = Ingenting er sendt ennå.
sent-done = Meldingen er sendt.
sent-col-reference = Referanse
sent-col-when = Sendt
sent-col-recipients = Mottakere
sent-col-opened = Åpnet
sent-col-not-delivered = Ikke levert
sent-col-status = Status
sent-col-published = Publisert
sent-col-confirmed = Bekreftet
sent-col-notifications = Varsler
admin-no-owner = Du kan ikke sende post for noen tjenesteeier. Tilgangen «Send meldinger for tjenesteeieren» gis av hovedadministratoren hos tjenesteeieren.
language-name-nb = Bokmål
language-name-nn = Nynorsk
language-name-en = Engelsk
sent-export = Last ned mottakerlisten (CSV)
sent-unpublished = { $count ->
    [one] Én melding er ikke publisert ennå og kan trekkes tilbake.
   *[other] { $count } meldinger er ikke publisert ennå og kan trekkes tilbake.
}
sent-withdraw = Trekk tilbake det som ikke er publisert
sent-withdrawn = { $count ->
    [one] Én melding er trukket tilbake.
   *[other] { $count } meldinger er trukket tilbake.
}
sent-show = Vis
sent-show-unread = Med uleste meldinger
sent-show-notification-failed = Med varsler som feilet
sent-show-nobody = Der ingen kan lese
mass-link = Send til mange mottakere fra en CSV-fil
mass-title = Send til mange (CSV)
mass-intro = Last opp en CSV-fil med ett fødselsnummer eller organisasjonsnummer per linje (første kolonne). Linjer som ikke kan brukes, vises med linjenummer etterpå. Det er ingen øvre grense for antall mottakere.
mass-file = CSV-fil med mottakere
mass-send = Last opp og send
mass-check = Kontroller filen
mass-check-heading = Kontroll av filen
mass-check-summary = { $lines ->
    [one] Én linje
   *[other] { $lines } linjer
} lest: { $recipients ->
    [one] én mottaker
   *[other] { $recipients } mottakere
} funnet, { $rejected ->
    [one] én linje
   *[other] { $rejected } linjer
} avvist. Ingenting er sendt.
mass-check-next = Filen er tatt vare på. Trykk «Last opp og send» for å sende til mottakerne som ble funnet, eller velg en ny fil og kontroller den.
mass-error-file = Velg en CSV-fil med mottakere.
mass-started = Sendingen er startet. Mottakerne lagres i bakgrunnen; last siden på nytt for å se hvor langt den har kommet.
mass-progress = { $lines ->
    [one] Én linje
   *[other] { $lines } linjer
} lest, { $stored ->
    [one] én mottaker
   *[other] { $stored } mottakere
} lagret, { $rejected ->
    [one] én linje
   *[other] { $rejected } linjer
} avvist.
mass-state-running = Pågår
mass-state-done = Ferdig
mass-state-failed = Stoppet med feil
mass-reload = Oppdater
mass-rejected-heading = Avviste linjer
mass-col-line = Linje
mass-col-value = Verdi
mass-col-reason = Årsak
mass-rejected-invalid = Ikke et gyldig fødselsnummer eller organisasjonsnummer
mass-rejected-unknown = Finnes ikke
mass-rejected-duplicate = Står på en tidligere linje
reports-title = Rapporter
reports-days = Ulest etter antall dager
reports-none = Ingen meldinger.
reports-due = Frist
reports-more = … og { $count } til.
report-unread = Ikke åpnet etter { $days } dager
report-unread-by-due = Ikke lest innen fristen
report-unconfirmed = Ikke bekreftet innen fristen
report-nobody = Ingen hos mottakeren kan lese meldingen
attachment-heading = Vedlegg
attachment-new = Last opp et vedlegg
attachment-help = PDF, tekst, Office-dokumenter, bilder, ZIP og DICOM. Vedlegget lagres når du forhåndsviser, kontrollerer eller sender, og kan brukes igjen senere. Huk av for vedleggene meldingen skal ha.
attachment-error-empty-name = Filen må ha et navn.
attachment-error-long-name = Filnavnet kan være på høyst 255 tegn.
attachment-error-characters = Filnavnet kan ikke inneholde < > : " / \ | ? * eller kontrolltegn.
attachment-error-reserved = Filnavnet er et reservert navn (som CON eller COM1). Gi filen et annet navn.
attachment-error-extension = Denne filtypen kan ikke sendes. Bruk PDF, tekst, Office-dokumenter, bilder, ZIP eller DICOM.
attachment-error-empty = Filen er tom.
attachment-error-large = Filen er for stor.
attachment-error-failed = Vedlegget kunne ikke lagres. Prøv igjen.
attachment-error-many = Høyst 100 vedlegg per melding.
attachment-error-unknown = Velg blant vedleggene dine i listen.

## Notification worker
dev-outbox-title = Utboks for varsler (demo)
dev-outbox-intro = I demoen sendes ikke e-post og SMS; de samles her, nyeste først.
dev-outbox-empty = Ingen varsler ennå.
dev-outbox-link = Se varslene demoen har sendt (e-post og SMS)
dev-outbox-sms = SMS
dev-outbox-to = Til
dev-outbox-at = Sendt
dev-outbox-html = Vis HTML-versjonen
digest-subject = Ukerapport om uleste meldinger
digest-intro = Status for meldinger dere har sendt, per { $date }. Tallene gjelder per tjeneste; se rapportsiden for mottakerne.
digest-link = Se detaljene
unread-notice-subject = Uleste meldinger til { $org }
unread-notice-body = { $org } har { $count ->
    [one] én melding
   *[other] { $count } meldinger
} som ikke er åpnet etter en uke. Kanskje har ingen fått tilgang; som hovedadministrator kan du gi tilgang.
unread-notice-senders = Avsendere
reports-contact = E-postadresse for ukerapporten
reports-contact-help = Hver mandag sendes tallene fra denne siden hit. La feltet stå tomt for å slå av rapporten.
reports-contact-save = Lagre adressen
reports-contact-saved = Adressen for ukerapporten er lagret.
reports-contact-error = Skriv en gyldig e-postadresse, for eksempel postmottak@etat.no.

# The header
header-logged-in-as = Logget inn som
header-acting-for = på vegne av
header-acting-self = på vegne av deg selv
header-person-number = fødselsnr.
header-org-number = org.nr.
header-switch-party = Bytt aktør
header-menu = Meny
header-nav = Hovedmeny

# The inbox's folded filters
inbox-search-button = Søk
inbox-filter-more-heading = Flere filtre og sortering
inbox-chips-label = Filtre i bruk:
inbox-clear-filters = Fjern alle filtre
inbox-empty-filtered = Ingen meldinger i { $folder } passer med søket og filtrene. Søket gjelder bare denne mappen.
access-done-granted-named = { $who } har fått tilgang til «{ $what }».
access-done-revoked-named = { $who } har ikke lenger tilgang til «{ $what }».

# Check steps
confirm-cancel = Avbryt
access-revoke-confirm-heading = Fjerne tilgangen for { $who }?
access-revoke-confirm-text = { $who } mister tilgangen til «{ $what }» med en gang, og kan ikke lenger lese post som krever den. En hovedadministrator kan gi tilgangen igjen senere.
access-revoke-confirm-button = Ja, fjern tilgangen
sent-withdraw-confirm-heading = Trekke tilbake { $count ->
    [one] én melding
   *[other] { $count } meldinger
} som ikke er publisert ennå?
sent-withdraw-confirm-text = Mottakerne får aldri se disse meldingene, og varslene om dem sendes ikke. Meldinger som alt er publisert, tilhører mottakerne og blir ikke berørt. Dette kan ikke angres.
sent-withdraw-confirm-button = Ja, trekk dem tilbake

# Files as people name them
size-bytes = byte
file-kind-pdf = PDF-dokument
file-kind-text = Tekstfil
file-kind-html = Nettside (HTML)
file-kind-xml = XML-fil
file-kind-json = JSON-fil
file-kind-csv = Regneark (CSV)
file-kind-word = Word-dokument
file-kind-excel = Excel-regneark
file-kind-powerpoint = PowerPoint-presentasjon
file-kind-zip = ZIP-arkiv
file-kind-dicom = Medisinsk bilde (DICOM)
file-kind-image = Bilde
file-kind-other = Fil
footer-times = Alle klokkeslett er norsk tid.
attachment-uploaded-at = lastet opp { $when }

# Notice outcomes on the sender's pages
notice-outcome = { $kind } på { $channel }: { $state }
notice-none = Ingen varsel
notice-state-queued = venter på å bli sendt
notice-state-sending = sendes nå
notice-state-sent = sendt
notice-state-delivered = levert
notice-state-failed = kunne ikke sendes
notice-state-cancelled = avlyst
sent-col-title = Tittel
service-error-confidential-packages = En taushetsbelagt tjeneste kan bare leses med tilgangspakken for taushetsbelagt post (eller ved at tjenesten selv delegeres). Fjern avkrysningen for de andre pakkene.
dev-outbox-login-first = (logg inn med en av personene over først)

# The compose form's sections
compose-choose-service = Velg tjeneste
compose-section-recipients = Mottakere
compose-section-service = Tjeneste og avsender
compose-section-content = Innhold
compose-section-times = Tidspunkt og frist

# Who can read, in the preflight
preflight-readers-person = { $delegation ->
    [0] Mottakeren selv
    [one] Mottakeren selv og én med delegert tilgang
   *[other] Mottakeren selv og { $delegation } med delegert tilgang
}
preflight-readers-org = { $count ->
    [one] Én person
   *[other] { $count } personer
}: { $role } ved rolle i Enhetsregisteret, { $delegation } ved delegering.
preflight-readers-none = Ingen: ingen har en rolle som gir tilgangen tjenesten krever, og ingen har fått den delegert. Hovedadministrator må gi noen tilgangen før meldingen kan leses.
preflight-readers-systems = { $systems ->
    [one] Ett fagsystem
   *[other] { $systems } fagsystemer
} kan også hente den.
access-grant-what-help = En tilgangspakke gir tilgang til all post av et slag (pakkene er beskrevet under «Oversikt per tilgangspakke» lenger ned). En enkelttjeneste gir bare tilgang til post fra den ene tjenesten.

# Formidling (filoverføringer)
transfers-title = Filoverføringer
transfers-intro = Formidling: organisasjoners systemer sender hverandre filer med filoverføringstjenestene deres. Her er tjenestene og de siste overføringene, med hver mottakers status.
transfers-services = Filoverføringstjenester
transfers-service-new = Ny filoverføringstjeneste
transfers-service-edit = Endre filoverføringstjeneste
transfers-services-none = Ingen filoverføringstjenester ennå.
transfers-col-who = Hvem
transfers-col-limits = Grenser
transfers-col-count = Overføringer
transfers-limits = Inntil { $size }, tas vare på i { $days } dager
transfers-senders-owner = Bare vi sender
transfers-senders-any = Alle organisasjoner kan sende
transfers-recipients-any = Alle organisasjoner kan motta
transfers-recipients-owner = Bare vi mottar
transfers-recent = Siste overføringer
transfers-none = Ingen overføringer ennå.
transfers-col-file = Fil
transfers-col-sender = Avsender
transfers-col-status = Status
transfers-col-recipients = Mottakere
transfer-status-Initialized = Venter på opplasting
transfer-status-UploadStarted = Lastes opp
transfer-status-UploadProcessing = Behandles
transfer-status-Published = Klar til nedlasting
transfer-status-Cancelled = Avbrutt
transfer-status-AllConfirmedDownloaded = Lastet ned av alle
transfer-status-Purged = Slettet
transfer-status-Failed = Opplastingen feilet
transfer-recipient-Initialized = ikke lastet ned
transfer-recipient-DownloadStarted = lastet ned, ikke bekreftet
transfer-recipient-DownloadConfirmed = bekreftet
transfers-who-sends = Hvem kan sende?
transfers-who-receives = Hvem kan motta?
transfers-systems-help = En mottakers hovedadministrator gir systemer tilgang til å motta på tilgangssiden, som for post.
transfers-max-size = Største fil (MiB)
transfers-max-size-help = Fra 1 MiB til 1 TiB (1 048 576 MiB).
transfers-ttl = Tid før sletting (dager)
transfers-ttl-help = Filen slettes etter dette selv om ikke alle har lastet den ned (1–365).
transfers-purge = Slett filen når alle mottakere har bekreftet nedlastingen
transfers-grace = Ventetid før sletting (timer)
transfers-grace-help = Etter at alle har bekreftet (0–24).
transfers-manifest = Mottakerne venter et manifest med filen
transfer-error-number = Skriv et heltall fra { $min } til { $max }.
transfer-error-who = Velg hvem som kan sende og hvem som kan motta.
access-transfers-heading = Filoverføringer til organisasjonen
access-transfers-intro = Filer andre organisasjoners systemer har sendt hit, og om systemene deres har hentet dem. Gi et system tilgang til å hente dem under «Systemer med tilgang».
access-transfers-none = Ingen filer er sendt til organisasjonen.
transfers-packages = Tilgangspakker som gir systemer tilgang
transfers-packages-help = En hovedadministrator som delegerer en av disse pakkene til et system på tilgangssiden, lar det sende og motta med denne tjenesten for organisasjonen; å delegere selve tjenesten gjør det alltid. Ingen: bare organisasjonenes egne systemer og delegeringer av tjenesten.

# Hendelser (abonnementer)
events-title = Hendelser
events-intro = Abonnementene systemene deres har på hendelser om post og filoverføringer (laget gjennom Events-API-et), og de siste leveransene til dem.
events-subscriptions = Abonnementer
events-subscriptions-none = Systemene deres har ingen abonnementer.
events-col-endpoint = Mottakeradresse
events-col-filters = Filtre
events-col-state = Tilstand
events-filters-none = Alt systemene deres kan se
events-state-ok = Leverer
events-state-unvalidated = Venter på at mottakeren svarer på valideringshendelsen
events-state-retrying = Feiler, prøver igjen ({ $n } feil på rad)
events-state-failing = Stoppet: mottakeren feilet gang på gang
events-deliveries = Siste leveranser
events-deliveries-none = Ingenting er levert ennå.
events-col-time = Tid
events-col-event = Hendelse
events-col-outcome = Utfall
events-delivered = Levert ({ $code })
events-failed-code = Feilet: mottakeren svarte { $code }
events-failed = Feilet: { $error }
