skip-to-content = Hopp til hovudinnhaldet
language-nav = Språk
demo-banner = Demo: alle personar, verksemder og meldingar er oppdikta. E-post og SMS blir ikkje sende, men samla i ein utboks for utviklarar.
footer-text = melding er ei open plattform for digital post frå offentlege verksemder.
footer-accessibility = Tilgjengeerklæring

home-title = Digital post frå det offentlege
home-lead = Les brev frå Skatteetaten, NAV, politiet, kommunen og andre offentlege verksemder – for deg sjølv eller for verksemda du representerer.
home-features-heading = Dette kan du gjere
home-feature-inbox-title = Innboks
home-feature-inbox = Les, last ned vedlegg, stadfest og arkiver meldingar for deg sjølv og for alle du representerer.
home-feature-access-title = Tilgangar
home-feature-access = Sjå kva tilgangar du har og kvifor. Hovudadministratorar delegerer tilgang og blir varsla når ingen kan lese ein type post.
home-feature-notify-title = Varsel
home-feature-notify = Du får varsel på e-post og SMS når det kjem ny post, og ei påminning etter ei veke dersom han ikkje er opna.
home-feature-api-title = For fagsystem
home-feature-api = Sak- og arkivsystem hentar og sender post gjennom eit JSON-API.
home-personas-heading = Demopersonar
home-personas-intro = I demoen kan du logge inn som ein av desse syntetiske personane ved å skrive inn fødselsnummeret i testinnlogginga.
persona-name = Namn
persona-national-id = Fødselsnummer (syntetisk)
persona-role = Kven er dette?
persona-citizen = Innbyggjar med eigen post, dagleg leiar i Nordmann Rørlegger AS.
persona-accountant = Rekneskapsførar for 300 klientar.
persona-municipal-admin = Kommunedirektør og hovudadministrator i Fjellvik kommune, der ingen kan lese teiepliktig post til barnevernet.
persona-municipal-clerk = Sakshandsamar i Fjellvik kommune med delegert tilgang til ordinær post.
persona-sender = Sakshandsamar som sender meldingar for Skatteetaten og NAV.
persona-d-number = Innbyggjar med D-nummer.
persona-reserved = Innbyggjar som har reservert seg mot digital post.
persona-auditor = Revisor for eit tital verksemder.

error-status = Feilkode { $status }
error-correlation = Oppgi denne referansen dersom du kontaktar oss:
error-home-link = Gå til framsida
error-404-heading = Vi fann ikkje sida
error-404-text = Sida finst ikkje, eller du har ikkje tilgang til ho. Sjekk at adressa er rett.
error-403-heading = Du har ikkje tilgang
error-403-text = Du manglar tilgang til å gjere dette.
error-400-heading = Førespurnaden kunne ikkje handsamast
error-400-text = Noko i førespurnaden var ugyldig. Gå tilbake og prøv igjen.
error-500-heading = Noko gjekk gale hos oss
error-500-text = Det oppstod ein feil. Ingenting av det du sende, er tapt. Prøv igjen om litt.
error-503-heading = Tenesta er mellombels utilgjengeleg
error-503-text = Vi får ikkje kontakt med ein del av tenesta akkurat no. Prøv igjen om litt.

a11y-title = Tilgjengeerklæring
a11y-intro = melding skal kunne brukast av alle. Denne erklæringa skildrar korleis tenesta oppfyller krava til universell utforming.
a11y-standard-heading = Standard
a11y-standard = Tenesta er laga for å oppfylle WCAG 2.1 nivå AA, slik forskrift om universell utforming av IKT-løysingar krev.
a11y-how-heading = Slik arbeider vi
a11y-how-nojs = Alle sider verkar utan JavaScript.
a11y-how-keyboard = Alt kan brukast med tastatur, og fokus er alltid synleg.
a11y-how-tested = Sidene blir testa automatisk med axe-core i ein ekte nettlesar ved kvar endring.
a11y-how-languages = Alle tekstar finst på bokmål, nynorsk og engelsk.
a11y-feedback-heading = Tilbakemelding
a11y-feedback = Har du funne noko som ikkje verkar for deg? Kontakt verksemda som driftar tenesta, eller klag til Tilsynet for universell utforming av IKT.

login = Logg inn
logout = Logg ut
step-up-heading = Denne sida krev høgare tryggleiksnivå
step-up-text = Du er logga inn på nivå betydeleg. For å sjå denne sida må du logge inn på nivå høgt, til dømes med BankID.
step-up-link = Logg inn med høgare tryggleiksnivå
login-failed-heading = Innlogginga mislukkast
login-failed-text = Vi kunne ikkje fullføre innlogginga. Lenkja kan vere brukt før eller gått ut, eller tryggleiksnivået var for lågt. Prøv å logge inn på nytt.
login-failed-other-browser = Denne innloggingen vart starta i ein annan nettlesar eller eit anna vindauge. Av omsyn til tryggleiken er du ikkje logga inn. Vil du logge inn, start på nytt her.
login-try-again = Logg inn på nytt
logged-out-heading = Du er logga ut
logged-out-text = Du er logga ut av melding og ID-porten. Lukk nettlesaren dersom du brukar ei delt datamaskin.
demo-login-title = Testinnlogging (demo)
demo-login-intro = Dette er innlogginga i demoen, som liknar testinnlogginga i ID-porten. Skriv inn eit syntetisk fødselsnummer, eller vel ein av demopersonane.
demo-login-level = Tryggleiksnivå
demo-login-level-substantial = Betydeleg (til dømes MinID)
demo-login-level-high = Høgt (til dømes BankID)
demo-login-national-id = Fødselsnummer
demo-login-submit = Logg inn
demo-login-personas = Eller logg inn som ein demoperson
demo-login-invalid = Fødselsnummeret er ikkje gyldig: { $reason }
id-error-length-11 = det må vere 11 siffer
id-error-length-9 = det må vere 9 siffer
id-error-checksum = kontrollsifra stemmer ikkje
id-error-date = fødselsdatoen finst ikkje
id-error-synthetic = syntetiske testidentitetar blir ikkje godtekne her
id-error-reference = det er ikkje eit fødselsnummer eller organisasjonsnummer

nav-access = Tilgangar
access-mine-title = Mine tilgangar
access-mine-intro = Her ser du kven du kan representere, kva tilgangar du har for kvar av dei, og kvar tilgangen kjem frå.
access-search-label = Søk etter namn eller organisasjonsnummer
access-search-button = Søk
access-none-found = Ingen treff.
access-yourself = Deg sjølv: du kan alltid lese din eigen post.
access-nothing-held = Du har ingen tilgangspakkar her enno.
access-confidential = Teiepliktig
access-administer-link = Administrer tilgangar for denne verksemda
access-next-page = Vis fleire
access-log-mine = Endringar i tilgangane dine
access-log-empty = Ingen endringar er registrerte.
access-admin-title = Tilgangsstyring
access-back-to-mine = Tilbake til mine tilgangar
access-done-granted = Tilgangen er gitt.
access-done-revoked = Tilgangen er fjerna.
access-warning-heading = Ingen har tilgangen «{ $package }»
access-warning-text = Verksemda kan ha meldingar som ingen kan lese. Gi tilgangen til nokon som skal følgje opp denne posten.
access-warning-messages = Ulesne meldingar som ingen kan lese (tittel og innhald blir ikkje viste)
access-col-sender = Avsendar
access-col-service = Teneste
access-col-recipient = Mottakar
access-col-date = Dato
access-warning-grant = Gi tilgang no
access-people-heading = Personar med tilgang
access-revoke = Fjern «{ $what }»
access-grant-heading = Gi tilgang
access-grant-intro = Finn personen med fødselsnummer og etternamn, og vel ein tilgangspakke eller ei enkeltteneste.
form-has-errors = Rett opp dette før du går vidare:
access-grant-national-id = Fødselsnummer
access-grant-last-name = Etternamn
access-grant-what = Tilgang
access-grant-choose = Vel tilgang
access-grant-packages = Tilgangspakkar
access-grant-services = Enkelttenester
access-grant-submit = Gi tilgang
access-systems-heading = System med tilgang
access-systems-intro = Systema til ei verksemd (til dømes fagsystemet til rekneskapsføraren eller arkivet dykkar) kan hente, lese og stadfeste denne posten gjennom API-et når de gir verksemda tilgang her. Ein tenesteeigar kan òg la ein formidlar sende for seg.
access-systems-none = Ingen verksemder sine system har tilgang.
access-system-grant-heading = Gi systema til ei verksemd tilgang
access-system-org-number = Organisasjonsnummer
access-system-grant-submit = Gi tilgang
system-error-no-organisation = Vi fann inga verksemd med dette nummeret.
system-error-already-held = Verksemda har allereie denne tilgangen.
access-packages-heading = Oversikt per tilgangspakke
access-col-package = Tilgangspakke
access-col-holders = Kven har han
access-no-holder = Ingen
access-log-heading = Endringslogg
source-role = via rolla di som { $role } i Einingsregisteret
source-delegated-by = delegert av { $name } { $date }
source-delegated = gitt { $date }
source-via-main-unit = (arva frå hovudeininga { $unit })
event-granted = { $actor } gav { $person } tilgangen «{ $what }» for { $party }.
event-revoked = { $actor } fjerna tilgangen «{ $what }» for { $person } i { $party }.
grant-error-national-id = Fødselsnummeret er ikkje gyldig: { $reason }
grant-error-last-name = Skriv etternamnet til personen.
grant-error-what = Vel kva tilgang personen skal få.
grant-error-no-person = Vi fann ingen person med dette fødselsnummeret og etternamnet.
grant-error-not-allowed = Du kan ikkje gi denne tilgangen.
grant-error-already-held = Personen har allereie denne tilgangen.

nav-inbox = Innboks
inbox-title = Innboks
inbox-change-party = Byt kven du representerer
inbox-done-inbox = Meldinga er flytta til innboksen.
inbox-done-archive = Meldinga er flytta til arkivet.
inbox-done-bin = Meldinga er flytta til papirkorga.
inbox-done-confirmed = Meldinga er stadfesta.
inbox-folders = Mapper
folder-inbox = Innboks
folder-archive = Arkiv
folder-bin = Papirkorg
inbox-unread-suffix = ulesne
inbox-search-label = Søk i meldingar
inbox-search-short = Skriv minst tre teikn for å søkje.
inbox-filter-read = Lesen
inbox-filter-all = Alle
inbox-filter-unread = Ulesne
inbox-filter-read-only = Lesne
inbox-filter-service = Teneste
inbox-filter-due = Frist
inbox-filter-due-soon = Frist innan sju dagar
inbox-filter-overdue = Fristen er gått ut
inbox-filter-from = Frå dato
inbox-filter-to = Til dato
inbox-sort = Sortering
inbox-sort-newest = Nyaste først
inbox-sort-due = Frist
inbox-filter-more = Fleire val
inbox-filter-confirm = Må stadfestast
inbox-filter-attachments = Har vedlegg
inbox-filter-apply = Vis
inbox-unopenable-heading = Det finst { $count ->
    [one] éi melding
   *[other] { $count } meldingar
} her som du ikkje kan opne
inbox-unopenable-from = Frå
inbox-unopenable-no-admin = Verksemda har ingen hovudadministrator som kan gi tilgang. Kontakt avsendaren.
inbox-unopenable-admins = Desse kan gi deg tilgang: { $names }.
inbox-empty = Ingen meldingar her.
inbox-unread = Ulesen
inbox-needs-high = Krev høgare tryggleiksnivå
inbox-needs-confirmation = Må stadfestast
inbox-attachments = { $count } vedlegg
inbox-older = Eldre meldingar
inbox-locked-title = Melding som krev innlogging på høgt tryggleiksnivå
inbox-overdue = Fristen gjekk ut { $date }
inbox-due-soon = Frist { $date }
inbox-due = Frist { $date }
picker-title = Kven vil du representere?
inbox-filter-sender = Avsendar
inbox-to = Til
inbox-combined-hint = Viser post til alle du representerer av denne typen. Opne ei melding for å flytte eller merke henne.
picker-all-organizations = Alle verksemder
picker-all-persons = Alle personar
picker-combined = Samla vising
picker-show-deleted = Vis sletta
picker-deleted = Sletta
picker-me = Deg sjølv
picker-favourites = Favorittar
picker-others = Alle du kan representere
picker-favourite = Legg til i favorittar
picker-unfavourite = Fjern frå favorittar
message-back = Tilbake til innboksen
message-confirmed-now = Takk, meldinga er stadfesta.
message-from = Frå
message-to = Til
message-service = Teneste
message-published = Motteken
message-status = Status
message-due = Frist
message-reply = Svar
message-attachments = Vedlegg
message-attachments-withheld = Du har ikkje tilgang til å opne vedlegga. Ein hovudadministrator kan gi deg tilgangen.
message-confirmation = Stadfesting
message-confirmed-at = Stadfesta { $when }.
message-confirm = Stadfest
message-move-inbox = Flytt til innboksen
message-move-archive = Arkiver
message-move-bin = Flytt til papirkorga
message-seen-by = Sett av
message-why = Kvifor kan du sjå denne?
message-activity = Hendingar
seen-you = Deg
activity-someone = nokon
activity-notification-sent = { $kind } sendt på { $channel } til { $address }
activity-notification-delivered = { $kind } levert på { $channel } til { $address }
activity-notification-failed = { $kind } på { $channel } til { $address } feila
notification-kind-initial = Varsel
notification-kind-reminder = Påminning
notification-kind-forward = Vidaresending
channel-email = e-post
channel-sms = SMS
status-Initialized = Oppretta
status-ReadyForPublish = Klar for publisering
status-Published = Publisert
status-Fetched = Henta
status-Read = Lesen
status-Replied = Svart på
status-Confirmed = Stadfesta
status-PurgedByRecipient = Sletta av mottakar
status-PurgedByService = Trekt tilbake av avsendar
status-Archived = Arkivert
status-Reserved = Reservert
status-Failed = Feila
status-AttachmentsDownloaded = Vedlegg lasta ned
activity-Published = Publisert
activity-Fetched = Lasta ned til fagsystemet til { $who }
activity-Read = Opna av { $who }
activity-Replied = Svart på av { $who }
activity-Confirmed = Stadfesta av { $who }
activity-PurgedByRecipient = Sletta av { $who }
activity-PurgedByService = Trekt tilbake av avsendar
activity-Archived = Arkivert av { $who }
activity-Reserved = Mottakaren har reservert seg mot digital post
activity-Failed = Kunne ikkje leverast
activity-AttachmentsDownloaded = Vedlegg lasta ned av { $who }
inbox-bulk-label = Med valde meldingar:
inbox-bulk-read = Merk som lesen
inbox-bulk-unread = Merk som ulesen
inbox-select = Vel meldinga
inbox-done-bulk-none = Ingen meldingar var valde. Kryss av for meldingane først, og vel så kva som skal gjerast med dei.
inbox-done-bulk-read = { $count ->
    [one] Éi melding er merkt som lesen.
   *[other] { $count } meldingar er merkte som lesne.
}
inbox-done-bulk-unread = { $count ->
    [one] Éi melding er merkt som ulesen.
   *[other] { $count } meldingar er merkte som ulesne.
}
inbox-done-bulk-inbox = { $count ->
    [one] Éi melding er flytt til innboksen.
   *[other] { $count } meldingar er flytte til innboksen.
}
inbox-done-bulk-archive = { $count ->
    [one] Éi melding er flytt til arkivet.
   *[other] { $count } meldingar er flytte til arkivet.
}
inbox-done-bulk-bin = { $count ->
    [one] Éi melding er flytt til papirkorga.
   *[other] { $count } meldingar er flytte til papirkorga.
}
message-download-all = Last ned alle vedlegga (ZIP)
message-print = Utskriftsvising
message-print-close = Lukk utskriftsvisinga
inbox-filter-period = Periode
inbox-filter-period-days = Siste { $days } dagar

nav-admin = Send post
admin-title = Send post for ein tenesteeigar
admin-choose-owner = Vel kva tenesteeigar du vil sende post for.
admin-nav = Tenesteeigar
admin-services = Meldingstenester
admin-compose = Skriv melding
admin-sent = Sendt
level-substantial = Betydeleg
level-high = Høgt
services-title = Meldingstenester
services-saved = Tenesta er lagra.
services-new = Ny meldingsteneste
services-edit = Endre meldingsteneste
services-none = Ingen meldingstenester enno.
services-col-service = Teneste
services-col-id = Teneste-ID
services-col-level = Tryggleiksnivå
services-col-sent = Sende meldingar
services-save = Lagre tenesta
service-id-help = Små bokstavar, tal og bindestrek, til dømes skatt-varsel. Kan ikkje endrast seinare.
service-texts-in = Tekstar på { $language }
service-title = Tittel
service-description = Skildring
service-packages = Kven kan lese: tilgangspakkar (éin av dei er nok)
service-level = Lågaste tryggleiksnivå for å lese
service-confidential = Teiepliktig: blir berre gitt ved delegering frå hovudadministrator
service-attachment-package = Eigen tilgang for vedlegg
service-attachment-none = Ingen eigen tilgang
service-reminder-days = Revarsling etter tal på dagar
service-notice-initial = Standardtekst for varsel
service-notice-reminder = Standardtekst for revarsel
notice-email-subject = E-post: emne
notice-email-body = E-post: tekst
notice-sms = SMS-tekst
notice-tokens = Du kan bruke $sendersName$, $correspondenceRecipientName$, $resourceName$ og $messageTitle$. Varsel inneheld aldri sjølve meldinga.
service-error-id = Skriv 2–100 teikn: små bokstavar, tal og bindestrek, og byrj med bokstav eller tal.
service-error-title = Skriv ein tittel på høgst 255 teikn.
service-error-description = Skildringa kan vere på høgst 2000 teikn.
service-error-packages = Vel minst éin tilgangspakke frå lista.
service-error-level = Vel eit tryggleiksnivå frå lista.
service-error-reminder = Skriv eit heilt tal dagar frå 1 til 60.
service-error-text = Fyll ut emne, tekst og SMS-tekst saman (eller la alle tre stå tomme), innanfor lengdegrensene.
service-error-taken = Denne teneste-ID-en er allereie i bruk.
compose-service = Meldingsteneste
compose-recipients = Mottakarar: fødselsnummer eller organisasjonsnummer, eitt per linje
compose-reference = Avsendaren sin referanse
compose-display-sender = Avsendarnamn som blir vist (valfritt)
compose-language = Språk
compose-title = Tittel
compose-summary = Samandrag (valfritt)
compose-body = Meldingstekst (Markdown)
compose-preview = Førehandsvis
compose-publish-at = Publiserast (norsk tid, tomt tyder no)
compose-due-at = Frist (norsk tid)
compose-confirmation = Mottakaren må stadfeste meldinga
compose-reply-link = Svarlenkje
compose-reply-url = Adresse (https)
compose-reply-text = Lenkjetekst
compose-external-reference = Ekstern referanse
compose-ref-type = Type
compose-ref-value = Verdi
compose-notification = Varsling
compose-channel = Kanal
channel-Email = E-post
channel-Sms = SMS
channel-EmailPreferred = E-post, elles SMS
channel-SmsPreferred = SMS, elles e-post
channel-EmailAndSms = Både e-post og SMS
compose-reminder = Send revarsel om meldinga ikkje er opna
compose-sms-any-time = SMS kan sendast heile døgnet
compose-notice-custom = Eigen varseltekst (valfritt; elles blir tenesta sin brukt).
compose-ignore-reservation = Send også til personar som har reservert seg mot digital post
compose-ignore-reason = Grunngiving for å overstyre reservasjonen
compose-check = Kontroller mottakarane
compose-send = Send
compose-send-anyway = Send likevel. Eg veit at ingen hos desse mottakarane kan lese meldinga no, og at det kan trengast papirpost.
compose-error-service = Vel ei meldingsteneste frå lista.
compose-error-recipients-invalid = Desse er ikkje gyldige fødselsnummer eller organisasjonsnummer: { $list }
compose-error-recipients-unknown = Vi finn ingen mottakar med: { $list }
compose-error-recipients-none = Skriv minst éin mottakar.
compose-error-recipients-many = Høgst { $max } mottakarar i skjemaet. Bruk CSV-opplasting for fleire.
compose-error-reference = Skriv avsendaren sin referanse (høgst 4096 teikn).
compose-error-display-sender = Avsendarnamnet kan vere på høgst 255 teikn, på éi linje.
compose-error-language = Vel bokmål, nynorsk eller engelsk.
compose-error-title = Skriv ein tittel på éi linje, høgst 255 teikn.
compose-error-summary = Samandraget kan vere på høgst 255 teikn, på éi linje.
compose-error-body = Skriv meldingsteksten (høgst 30 000 teikn).
compose-error-time = Skriv dato og klokkeslett som ÅÅÅÅ-MM-DDTtt:mm.
compose-error-due-needed = Ei melding som må stadfestast, treng ein frist.
compose-error-due-past = Fristen kan ikkje vere passert.
compose-error-due-before-publish = Fristen kan ikkje vere før publisering.
compose-error-reply-url = Skriv ei fullstendig https-adresse på høgst 255 teikn.
compose-error-reply-text = Skriv ein lenkjetekst på høgst 255 teikn.
compose-error-reference-pair = Fyll ut både type og verdi (høgst 255 teikn).
compose-error-channel = Vel ein varslingskanal frå lista.
compose-error-ignore-reason = Skriv kvifor reservasjonen skal overstyrast.
compose-error-send-anyway = Ingen kan lese meldinga hos minst éin mottakar. Kryss av for «Send likevel» for å sende.
input-error-nul = Feltet inneheld eit teikn som ikkje kan lagrast (NUL, teikn 0). Fjern det og prøv igjen.
input-error-utf8 = Feltet inneheld byte som ikkje er tekst (ikkje UTF-8). Skriv det inn på nytt og send skjemaet igjen.
form-error-unreadable = Skjemaet kunne ikkje lesast heilt: eit filnamn eller felt inneheldt teikn som ikkje kan sendast. Vel fila på nytt og send igjen.
compose-error-references-many = Høgst 10 eksterne referansar.
compose-error-properties-many = Høgst 10 eigenskapar.
compose-error-property = Ein eigenskap treng eit namn på høgst 50 teikn og ein verdi på høgst 300.
compose-error-idempotency-key = Idempotensnøkkelen må ha 1 til 255 teikn.
compose-error-sender = Avsendaren må vere tenesteeigaren det blir sendt for (0192: og organisasjonsnummeret).
preflight-heading = Kontroll før sending
preflight-summary = { $total ->
    [one] Éin mottakar
   *[other] { $total } mottakarar
}: { $ready } klare, { $reserved } reservert, { $nobody } der ingen kan lese, { $deleted } sletta.
preflight-ready = Klar
preflight-reserved = Reservert
preflight-nobody = Ingen kan lese
preflight-deleted = Sletta
preflight-addresses = { $emails } e-post, { $phones } mobil
preflight-nobody-warning = Hos minst éin mottakar har ingen tilgang til å lese denne meldinga. Ho blir liggjande ulesen til nokon får tilgang. Vurder å sende på papir.
preflight-confidential = Tenesta er teiepliktig: hovudadministratoren til mottakaren må delegere tilgangspakken for teiepliktig post (eller tenesta) til nokon som skal lese.
preflight-col-recipient = Mottakar
preflight-col-outcome = Resultat
preflight-col-readers = Kan lese
preflight-col-addresses = Varslingsadresser
sent-none = Ingenting er sendt enno.
sent-done = Meldinga er send.
sent-col-reference = Referanse
sent-col-when = Sendt
sent-col-recipients = Mottakarar
sent-col-opened = Opna
sent-col-not-delivered = Ikkje levert
sent-col-status = Status
sent-col-published = Publisert
sent-col-confirmed = Stadfesta
sent-col-notifications = Varsel
admin-no-owner = Du kan ikkje sende post for nokon tenesteeigar. Tilgangen «Send meldingar for tenesteeigaren» blir gitt av hovudadministratoren hos tenesteeigaren.
language-name-nb = Bokmål
language-name-nn = Nynorsk
language-name-en = Engelsk
sent-export = Last ned mottakarlista (CSV)
sent-unpublished = { $count ->
    [one] Éi melding er ikkje publisert enno og kan trekkjast tilbake.
   *[other] { $count } meldingar er ikkje publiserte enno og kan trekkjast tilbake.
}
sent-withdraw = Trekk tilbake det som ikkje er publisert
sent-withdrawn = { $count ->
    [one] Éi melding er trekt tilbake.
   *[other] { $count } meldingar er trekte tilbake.
}
sent-show = Vis
sent-show-unread = Med ulesne meldingar
sent-show-notification-failed = Med varsel som feila
sent-show-nobody = Der ingen kan lese
mass-link = Send til mange mottakarar frå ei CSV-fil
mass-title = Send til mange (CSV)
mass-intro = Last opp ei CSV-fil med eitt fødselsnummer eller organisasjonsnummer per linje (første kolonne). Linjer som ikkje kan brukast, blir viste med linjenummer etterpå. Det er inga øvre grense for talet på mottakarar.
mass-file = CSV-fil med mottakarar
mass-send = Last opp og send
mass-check = Kontroller fila
mass-check-heading = Kontroll av fila
mass-check-summary = { $lines ->
    [one] Éi linje
   *[other] { $lines } linjer
} lesne: { $recipients ->
    [one] éin mottakar
   *[other] { $recipients } mottakarar
} funne, { $rejected ->
    [one] éi linje
   *[other] { $rejected } linjer
} avviste. Ingenting er sendt.
mass-check-next = Fila er teken vare på. Trykk «Last opp og send» for å sende til mottakarane som vart funne, eller vel ei ny fil og kontroller henne.
mass-error-file = Vel ei CSV-fil med mottakarar.
mass-started = Sendinga er starta. Mottakarane blir lagra i bakgrunnen; last sida på nytt for å sjå kor langt ho har kome.
mass-progress = { $lines ->
    [one] Éi linje
   *[other] { $lines } linjer
} lesne, { $stored ->
    [one] éin mottakar
   *[other] { $stored } mottakarar
} lagra, { $rejected ->
    [one] éi linje
   *[other] { $rejected } linjer
} avviste.
mass-state-running = Pågår
mass-state-done = Ferdig
mass-state-failed = Stoppa med feil
mass-reload = Oppdater
mass-rejected-heading = Avviste linjer
mass-col-line = Linje
mass-col-value = Verdi
mass-col-reason = Årsak
mass-rejected-invalid = Ikkje eit gyldig fødselsnummer eller organisasjonsnummer
mass-rejected-unknown = Finst ikkje
mass-rejected-duplicate = Står på ei tidlegare linje
reports-title = Rapportar
reports-days = Ulesen etter tal på dagar
reports-none = Ingen meldingar.
reports-due = Frist
reports-more = … og { $count } til.
report-unread = Ikkje opna etter { $days } dagar
report-unread-by-due = Ikkje lesen innan fristen
report-unconfirmed = Ikkje stadfesta innan fristen
report-nobody = Ingen hos mottakaren kan lese meldinga
attachment-heading = Vedlegg
attachment-new = Last opp eit vedlegg
attachment-help = PDF, tekst, Office-dokument, bilete, ZIP og DICOM. Vedlegget blir lagra når du førehandsviser, kontrollerer eller sender, og kan brukast igjen seinare. Kryss av for vedlegga meldinga skal ha.
attachment-error-empty-name = Fila må ha eit namn.
attachment-error-long-name = Filnamnet kan vere på høgst 255 teikn.
attachment-error-characters = Filnamnet kan ikkje innehalde < > : " / \ | ? * eller kontrollteikn.
attachment-error-reserved = Filnamnet er eit reservert namn (som CON eller COM1). Gi fila eit anna namn.
attachment-error-extension = Denne filtypen kan ikkje sendast. Bruk PDF, tekst, Office-dokument, bilete, ZIP eller DICOM.
attachment-error-empty = Fila er tom.
attachment-error-large = Fila er for stor.
attachment-error-failed = Vedlegget kunne ikkje lagrast. Prøv igjen.
attachment-error-many = Høgst 100 vedlegg per melding.
attachment-error-unknown = Vel blant vedlegga dine i lista.

## Notification worker
dev-outbox-title = Utboks for varsel (demo)
dev-outbox-intro = I demoen blir ikkje e-post og SMS sende; dei blir samla her, nyaste først.
dev-outbox-empty = Ingen varsel enno.
dev-outbox-link = Sjå varsla demoen har sendt (e-post og SMS)
dev-outbox-sms = SMS
dev-outbox-to = Til
dev-outbox-at = Sendt
dev-outbox-html = Vis HTML-versjonen
digest-subject = Vekerapport om ulesne meldingar
digest-intro = Status for meldingar de har sendt, per { $date }. Tala gjeld per teneste; sjå rapportsida for mottakarane.
digest-link = Sjå detaljane
unread-notice-subject = Ulesne meldingar til { $org }
unread-notice-body = { $org } har { $count ->
    [one] éi melding
   *[other] { $count } meldingar
} som ikkje er opna etter ei veke. Kanskje har ingen fått tilgang; som hovudadministrator kan du gi tilgang.
unread-notice-senders = Avsendarar
reports-contact = E-postadresse for vekerapporten
reports-contact-help = Kvar måndag blir tala frå denne sida sende hit. La feltet stå tomt for å slå av rapporten.
reports-contact-save = Lagre adressa
reports-contact-saved = Adressa for vekerapporten er lagra.
reports-contact-error = Skriv ei gyldig e-postadresse, til dømes postmottak@etat.no.

# The header
header-logged-in-as = Logga inn som
header-acting-for = på vegner av
header-acting-self = på vegner av deg sjølv
header-person-number = fødselsnr.
header-org-number = org.nr.
header-switch-party = Byt aktør
header-menu = Meny
header-nav = Hovudmeny

# The inbox's folded filters
inbox-search-button = Søk
inbox-filter-more-heading = Fleire filter og sortering
inbox-chips-label = Filter i bruk:
inbox-clear-filters = Fjern alle filter
inbox-empty-filtered = Ingen meldingar i { $folder } passar med søket og filtera. Søket gjeld berre denne mappa.
access-done-granted-named = { $who } har fått tilgang til «{ $what }».
access-done-revoked-named = { $who } har ikkje lenger tilgang til «{ $what }».

# Check steps
confirm-cancel = Avbryt
access-revoke-confirm-heading = Fjerne tilgangen for { $who }?
access-revoke-confirm-text = { $who } mistar tilgangen til «{ $what }» med ein gong, og kan ikkje lenger lese post som krev han. Ein hovudadministrator kan gi tilgangen igjen seinare.
access-revoke-confirm-button = Ja, fjern tilgangen
sent-withdraw-confirm-heading = Trekkje tilbake { $count ->
    [one] éi melding
   *[other] { $count } meldingar
} som ikkje er publisert enno?
sent-withdraw-confirm-text = Mottakarane får aldri sjå desse meldingane, og varsla om dei blir ikkje sende. Meldingar som alt er publiserte, høyrer til mottakarane og blir ikkje rørte. Dette kan ikkje angrast.
sent-withdraw-confirm-button = Ja, trekk dei tilbake

# Files as people name them
size-bytes = byte
file-kind-pdf = PDF-dokument
file-kind-text = Tekstfil
file-kind-html = Nettside (HTML)
file-kind-xml = XML-fil
file-kind-json = JSON-fil
file-kind-csv = Rekneark (CSV)
file-kind-word = Word-dokument
file-kind-excel = Excel-rekneark
file-kind-powerpoint = PowerPoint-presentasjon
file-kind-zip = ZIP-arkiv
file-kind-dicom = Medisinsk bilete (DICOM)
file-kind-image = Bilete
file-kind-other = Fil
footer-times = Alle klokkeslett er norsk tid.
attachment-uploaded-at = lasta opp { $when }

# Notice outcomes on the sender's pages
notice-outcome = { $kind } på { $channel }: { $state }
notice-none = Ikkje varsla
notice-state-queued = ventar på å bli sendt
notice-state-sending = blir sendt no
notice-state-sent = sendt
notice-state-delivered = levert
notice-state-failed = kunne ikkje sendast
notice-state-cancelled = avlyst
sent-col-title = Tittel
service-error-confidential-packages = Ei teieplikttenest kan berre lesast med tilgangspakken for teiepliktig post (eller ved at tenesta sjølv blir delegert). Fjern avkryssinga for dei andre pakkane.
dev-outbox-login-first = (logg inn med ein av personane over først)

# The compose form's sections
compose-choose-service = Vel teneste
compose-section-recipients = Mottakarar
compose-section-service = Teneste og avsendar
compose-section-content = Innhald
compose-section-times = Tidspunkt og frist

# Who can read, in the preflight
preflight-readers-person = { $delegation ->
    [0] Mottakaren sjølv
    [one] Mottakaren sjølv og éin med delegert tilgang
   *[other] Mottakaren sjølv og { $delegation } med delegert tilgang
}
preflight-readers-org = { $count ->
    [one] Éin person
   *[other] { $count } personar
}: { $role } ved rolle i Einingsregisteret, { $delegation } ved delegering.
preflight-readers-none = Ingen: ingen har ei rolle som gir tilgangen tenesta krev, og ingen har fått han delegert. Hovudadministrator må gi nokon tilgangen før meldinga kan lesast.
preflight-readers-systems = { $systems ->
    [one] Eitt fagsystem
   *[other] { $systems } fagsystem
} kan òg hente ho.
access-grant-what-help = Ein tilgangspakke gir tilgang til all post av eit slag (pakkane er skildra under «Oversikt per tilgangspakke» lenger ned). Ei enkeltteneste gir berre tilgang til post frå den eine tenesta.

# Formidling (filoverføringar)
transfers-title = Filoverføringar
transfers-intro = Formidling: organisasjonar sine system sender kvarandre filer med filoverføringstenestene dykkar. Her er tenestene og dei siste overføringane, med statusen til kvar mottakar.
transfers-services = Filoverføringstenester
transfers-service-new = Ny filoverføringsteneste
transfers-service-edit = Endre filoverføringsteneste
transfers-services-none = Ingen filoverføringstenester enno.
transfers-col-who = Kven
transfers-col-limits = Grenser
transfers-col-count = Overføringar
transfers-limits = Inntil { $size }, blir tekne vare på i { $days } dagar
transfers-senders-owner = Berre vi sender
transfers-senders-any = Alle organisasjonar kan sende
transfers-recipients-any = Alle organisasjonar kan ta imot
transfers-recipients-owner = Berre vi tek imot
transfers-recent = Siste overføringar
transfers-none = Ingen overføringar enno.
transfers-col-file = Fil
transfers-col-sender = Avsendar
transfers-col-status = Status
transfers-col-recipients = Mottakarar
transfer-status-Initialized = Ventar på opplasting
transfer-status-UploadStarted = Blir lasta opp
transfer-status-UploadProcessing = Blir handsama
transfer-status-Published = Klar til nedlasting
transfer-status-Cancelled = Avbroten
transfer-status-AllConfirmedDownloaded = Lasta ned av alle
transfer-status-Purged = Sletta
transfer-status-Failed = Opplastinga feila
transfer-recipient-Initialized = ikkje lasta ned
transfer-recipient-DownloadStarted = lasta ned, ikkje stadfesta
transfer-recipient-DownloadConfirmed = stadfesta
transfers-who-sends = Kven kan sende?
transfers-who-receives = Kven kan ta imot?
transfers-systems-help = Hovudadministratoren til ein mottakar gir system tilgang til å ta imot på tilgangssida, som for post.
transfers-max-size = Største fil (MiB)
transfers-max-size-help = Frå 1 MiB til 1 TiB (1 048 576 MiB).
transfers-ttl = Tid før sletting (dagar)
transfers-ttl-help = Fila blir sletta etter dette sjølv om ikkje alle har lasta henne ned (1–365).
transfers-purge = Slett fila når alle mottakarar har stadfesta nedlastinga
transfers-grace = Ventetid før sletting (timar)
transfers-grace-help = Etter at alle har stadfesta (0–24).
transfers-manifest = Mottakarane ventar eit manifest med fila
transfer-error-number = Skriv eit heiltal frå { $min } til { $max }.
transfer-error-who = Vel kven som kan sende og kven som kan ta imot.
access-transfers-heading = Filoverføringar til organisasjonen
access-transfers-intro = Filer som system hos andre organisasjonar har sendt hit, og om systema dykkar har henta dei. Gi eit system tilgang til å hente dei under «System med tilgang».
access-transfers-none = Ingen filer er sende til organisasjonen.
transfers-packages = Tilgangspakkar som gir system tilgang
transfers-packages-help = Ein hovudadministrator som delegerer ein av desse pakkane til eit system på tilgangssida, lèt det sende og ta imot med denne tenesta for organisasjonen; å delegere sjølve tenesta gjer det alltid. Ingen: berre organisasjonane sine eigne system og delegeringar av tenesta.

# Hendingar (abonnement)
events-title = Hendingar
events-intro = Abonnementa systema dykkar har på hendingar om post og filoverføringar (laga gjennom Events-API-et), og dei siste leveransane til dei.
events-subscriptions = Abonnement
events-subscriptions-none = Systema dykkar har ingen abonnement.
events-col-endpoint = Mottakaradresse
events-col-filters = Filter
events-col-state = Tilstand
events-filters-none = Alt systema dykkar kan sjå
events-state-ok = Leverer
events-state-unvalidated = Ventar på at mottakaren svarar på valideringshendinga
events-state-retrying = Feilar, prøver igjen ({ $n } feil på rad)
events-state-failing = Stoppa: mottakaren feila gong på gong
events-deliveries = Siste leveransar
events-deliveries-none = Ingenting er levert enno.
events-col-time = Tid
events-col-event = Hending
events-col-outcome = Utfall
events-delivered = Levert ({ $code })
events-failed-code = Feila: mottakaren svarte { $code }
events-failed = Feila: { $error }
