skip-to-content = Skip to main content
language-nav = Language
demo-banner = Demo: every person, organisation and message is made up. E-mail and SMS are not sent but collected in a developer outbox.
footer-text = melding is an open platform for digital mail from the public sector.
footer-accessibility = Accessibility statement

home-title = Digital mail from the public sector
home-lead = Read letters from the Tax Administration, NAV, the police, your municipality and other public bodies – for yourself or for the organisation you represent.
home-features-heading = What you can do
home-feature-inbox-title = Inbox
home-feature-inbox = Read, download attachments, confirm and archive messages for yourself and for everyone you represent.
home-feature-access-title = Access
home-feature-access = See which access you hold and why. Main administrators delegate access and are warned when nobody can read a kind of mail.
home-feature-notify-title = Notifications
home-feature-notify = You are notified by e-mail and SMS when new mail arrives, and reminded after a week if it has not been opened.
home-feature-api-title = For case systems
home-feature-api = Case and archive systems fetch and send mail through a JSON API.
home-personas-heading = Demo personas
home-personas-intro = In the demo you can log in as one of these synthetic people by typing their national identity number into the test login.
persona-name = Name
persona-national-id = National identity number (synthetic)
persona-role = Who is this?
persona-citizen = Citizen with personal mail, chief executive of Nordmann Rørlegger AS.
persona-accountant = Accountant for 300 clients.
persona-municipal-admin = Chief municipal executive and main administrator of Fjellvik municipality, where nobody can read confidential mail to child welfare.
persona-municipal-clerk = Case officer in Fjellvik municipality with delegated access to ordinary mail.
persona-sender = Case officer who sends messages for the Tax Administration and NAV.
persona-d-number = Citizen with a D-number.
persona-reserved = Citizen who has opted out of digital mail.
persona-auditor = Auditor for about a dozen organisations.

error-status = Error code { $status }
error-correlation = Quote this reference if you contact us:
error-home-link = Go to the front page
error-404-heading = We could not find that page
error-404-text = The page does not exist, or you do not have access to it. Check that the address is right.
error-403-heading = You do not have access
error-403-text = You lack the access needed to do this.
error-400-heading = The request could not be handled
error-400-text = Something in the request was invalid. Go back and try again.
error-500-heading = Something went wrong on our side
error-500-text = An error occurred. Nothing you sent has been lost. Please try again shortly.
error-503-heading = The service is temporarily unavailable
error-503-text = We cannot reach part of the service right now. Please try again shortly.

a11y-title = Accessibility statement
a11y-intro = melding is meant to be usable by everyone. This statement describes how the service meets the requirements for universal design.
a11y-standard-heading = Standard
a11y-standard = The service is built to meet WCAG 2.1 level AA, as the Norwegian regulation on universal design of ICT requires.
a11y-how-heading = How we work
a11y-how-nojs = Every page works without JavaScript.
a11y-how-keyboard = Everything can be used with a keyboard, and focus is always visible.
a11y-how-tested = Pages are tested automatically with axe-core in a real browser on every change.
a11y-how-languages = All texts exist in Bokmål, Nynorsk and English.
a11y-feedback-heading = Feedback
a11y-feedback = Found something that does not work for you? Contact the organisation that runs the service, or complain to the Norwegian Digitalisation Agency's supervisory authority for universal design of ICT.

login = Log in
logout = Log out
step-up-heading = This page needs a higher security level
step-up-text = You are logged in at level substantial. To see this page, log in at level high, for example with BankID.
step-up-link = Log in with a higher security level
login-failed-heading = The login did not succeed
login-failed-text = We could not complete the login. The link may have been used before or have expired, or the security level was too low. Please log in again.
login-failed-other-browser = This login was started in another browser or window. For your safety you are not logged in. If you want to log in, start again here.
login-try-again = Log in again
logged-out-heading = You are logged out
logged-out-text = You are logged out of melding and ID-porten. Close the browser if you are on a shared computer.
demo-login-title = Test login (demo)
demo-login-intro = This is the demo's login, which works like ID-porten's test login. Type a synthetic national identity number, or pick one of the demo personas.
demo-login-level = Security level
demo-login-level-substantial = Substantial (for example MinID)
demo-login-level-high = High (for example BankID)
demo-login-national-id = National identity number
demo-login-submit = Log in
demo-login-personas = Or log in as a demo persona
demo-login-invalid = The national identity number is not valid: { $reason }
id-error-length-11 = it must be 11 digits
id-error-length-9 = it must be 9 digits
id-error-checksum = the check digits do not match
id-error-date = the date of birth does not exist
id-error-synthetic = synthetic test identities are not accepted here
id-error-reference = it is neither a national identity number nor an organisation number

nav-access = Access
access-mine-title = My access
access-mine-intro = Here you see whom you can act for, what access you hold for each, and where that access comes from.
access-search-label = Search by name or organisation number
access-search-button = Search
access-none-found = Nothing found.
access-yourself = Yourself: you can always read your own mail.
access-nothing-held = You hold no access packages here yet.
access-confidential = Confidential
access-administer-link = Manage access for this organisation
access-next-page = Show more
access-log-mine = Changes to your access
access-log-empty = No changes recorded.
access-admin-title = Access management
access-back-to-mine = Back to my access
access-done-granted = Access granted.
access-done-revoked = Access removed.
access-warning-heading = Nobody holds "{ $package }"
access-warning-text = Your organisation may have messages that no one can read. Give this access to someone who will follow up this mail.
access-warning-messages = Unread messages nobody can read (title and content are not shown)
access-col-sender = Sender
access-col-service = Service
access-col-recipient = Recipient
access-col-date = Date
access-warning-grant = Grant access now
access-people-heading = People with access
access-revoke = Remove "{ $what }"
access-grant-heading = Grant access
access-grant-intro = Find the person by national identity number and last name, and choose an access package or a single service.
form-has-errors = Fix the following before you continue:
access-grant-national-id = National identity number
access-grant-last-name = Last name
access-grant-what = Access
access-grant-choose = Choose access
access-grant-packages = Access packages
access-grant-services = Single services
access-grant-submit = Grant access
access-systems-heading = Systems with access
access-systems-intro = An organisation's systems (such as your accountant's case system or your archive) can fetch, read and confirm this mail through the API when you give the organisation access here. A service owner can also let a distributor send for it.
access-systems-none = No organisation's systems have access.
access-system-grant-heading = Give an organisation's systems access
access-system-org-number = Organisation number
access-system-grant-submit = Give access
system-error-no-organisation = We found no organisation with this number.
system-error-already-held = The organisation already has this access.
access-packages-heading = Overview by access package
access-col-package = Access package
access-col-holders = Who holds it
access-no-holder = Nobody
access-log-heading = Change log
source-role = via your role as { $role } in the business register
source-delegated-by = delegated by { $name } on { $date }
source-delegated = granted on { $date }
source-via-main-unit = (inherited from the main unit { $unit })
event-granted = { $actor } gave { $person } "{ $what }" for { $party }.
event-revoked = { $actor } removed "{ $what }" from { $person } in { $party }.
grant-error-national-id = The national identity number is not valid: { $reason }
grant-error-last-name = Type the person's last name.
grant-error-what = Choose the access to give.
grant-error-no-person = We found no person with this national identity number and last name.
grant-error-not-allowed = You cannot grant this access.
grant-error-already-held = The person already holds this access.

nav-inbox = Inbox
inbox-title = Inbox
inbox-change-party = Change whom you act for
inbox-done-inbox = The message was moved to the inbox.
inbox-done-archive = The message was moved to the archive.
inbox-done-bin = The message was moved to the bin.
inbox-done-confirmed = The message is confirmed.
inbox-folders = Folders
folder-inbox = Inbox
folder-archive = Archive
folder-bin = Bin
inbox-unread-suffix = unread
inbox-search-label = Search messages
inbox-search-short = Type at least three characters to search.
inbox-filter-read = Read
inbox-filter-all = All
inbox-filter-unread = Unread
inbox-filter-read-only = Read
inbox-filter-service = Service
inbox-filter-due = Due date
inbox-filter-due-soon = Due within seven days
inbox-filter-overdue = Overdue
inbox-filter-from = From date
inbox-filter-to = To date
inbox-sort = Sort
inbox-sort-newest = Newest first
inbox-sort-due = Due date
inbox-filter-more = More choices
inbox-filter-confirm = Needs confirmation
inbox-filter-attachments = Has attachments
inbox-filter-apply = Show
inbox-unopenable-heading = There { $count ->
    [one] is one message
   *[other] are { $count } messages
} here you cannot open
inbox-unopenable-from = From
inbox-unopenable-no-admin = The organisation has no main administrator who can give access. Contact the sender.
inbox-unopenable-admins = These people can give you access: { $names }.
inbox-empty = No messages here.
inbox-unread = Unread
inbox-needs-high = Needs a higher security level
inbox-needs-confirmation = Needs confirmation
inbox-attachments = { $count ->
    [one] 1 attachment
   *[other] { $count } attachments
}
inbox-older = Older messages
inbox-locked-title = A message that needs login at level high
inbox-overdue = Overdue since { $date }
inbox-due-soon = Due { $date }
inbox-due = Due { $date }
picker-title = Whom do you want to act for?
inbox-filter-sender = Sender
inbox-to = To
inbox-combined-hint = Showing mail for everyone of this kind you act for. Open a message to move or mark it.
picker-all-organizations = All organisations
picker-all-persons = All persons
picker-combined = Combined views
picker-show-deleted = Show deleted
picker-deleted = Deleted
picker-me = Yourself
picker-favourites = Favourites
picker-others = Everyone you can act for
picker-favourite = Add to favourites
picker-unfavourite = Remove from favourites
message-back = Back to the inbox
message-confirmed-now = Thank you, the message is confirmed.
message-from = From
message-to = To
message-service = Service
message-published = Received
message-status = Status
message-due = Due
message-reply = Reply
message-attachments = Attachments
message-attachments-withheld = You do not have access to open the attachments. A main administrator can give you that access.
message-confirmation = Confirmation
message-confirmed-at = Confirmed { $when }.
message-confirm = Confirm
message-move-inbox = Move to the inbox
message-move-archive = Archive
message-move-bin = Move to the bin
message-seen-by = Seen by
message-why = Why can I see this?
message-activity = Activity
seen-you = You
activity-someone = someone
activity-notification-sent = { $kind } sent by { $channel } to { $address }
activity-notification-delivered = { $kind } delivered by { $channel } to { $address }
activity-notification-failed = { $kind } by { $channel } to { $address } failed
notification-kind-initial = Notification
notification-kind-reminder = Reminder
notification-kind-forward = Forwarded copy
channel-email = e-mail
channel-sms = SMS
status-Initialized = Initialized
status-ReadyForPublish = Ready for publishing
status-Published = Published
status-Fetched = Fetched
status-Read = Read
status-Replied = Replied
status-Confirmed = Confirmed
status-PurgedByRecipient = Deleted by the recipient
status-PurgedByService = Withdrawn by the sender
status-Archived = Archived
status-Reserved = Reserved
status-Failed = Failed
status-AttachmentsDownloaded = Attachments downloaded
activity-Published = Published
activity-Fetched = Downloaded to the case system of { $who }
activity-Read = Opened by { $who }
activity-Replied = Replied to by { $who }
activity-Confirmed = Confirmed by { $who }
activity-PurgedByRecipient = Deleted by { $who }
activity-PurgedByService = Withdrawn by the sender
activity-Archived = Archived by { $who }
activity-Reserved = The recipient has opted out of digital mail
activity-Failed = Could not be delivered
activity-AttachmentsDownloaded = Attachments downloaded by { $who }
inbox-bulk-label = With the selected messages:
inbox-bulk-read = Mark as read
inbox-bulk-unread = Mark as unread
inbox-select = Select the message
inbox-done-bulk-none = No messages were chosen. Tick the messages first, then choose what to do with them.
inbox-done-bulk-read = { $count ->
    [one] One message marked as read.
   *[other] { $count } messages marked as read.
}
inbox-done-bulk-unread = { $count ->
    [one] One message marked as unread.
   *[other] { $count } messages marked as unread.
}
inbox-done-bulk-inbox = { $count ->
    [one] One message moved to the inbox.
   *[other] { $count } messages moved to the inbox.
}
inbox-done-bulk-archive = { $count ->
    [one] One message moved to the archive.
   *[other] { $count } messages moved to the archive.
}
inbox-done-bulk-bin = { $count ->
    [one] One message moved to the bin.
   *[other] { $count } messages moved to the bin.
}
message-download-all = Download all attachments (ZIP)
message-print = Print view
message-print-close = Close the print view
inbox-filter-period = Period
inbox-filter-period-days = Last { $days } days

nav-admin = Send mail
admin-title = Send mail for a service owner
admin-choose-owner = Choose the service owner you want to send mail for.
admin-nav = Service owner
admin-services = Message services
admin-compose = Write a message
admin-sent = Sent
level-substantial = Substantial
level-high = High
services-title = Message services
services-saved = The service has been saved.
services-new = New message service
services-edit = Edit message service
services-none = No message services yet.
services-col-service = Service
services-col-id = Service id
services-col-level = Security level
services-col-sent = Messages sent
services-save = Save the service
service-id-help = Lower-case letters, digits and hyphens, for example tax-notice. Cannot be changed later.
service-texts-in = Texts in { $language }
service-title = Title
service-description = Description
service-packages = Who can read: access packages (any one of them is enough)
service-level = Lowest security level to read
service-confidential = Confidential: granted only by delegation from a main administrator
service-attachment-package = A separate right for attachments
service-attachment-none = No separate right
service-reminder-days = Reminder after this many days
service-notice-initial = Default notice text
service-notice-reminder = Default reminder text
notice-email-subject = E-mail: subject
notice-email-body = E-mail: text
notice-sms = SMS text
notice-tokens = You can use $sendersName$, $correspondenceRecipientName$, $resourceName$ and $messageTitle$. Notices never contain the message itself.
service-error-id = Type 2–100 characters: lower-case letters, digits and hyphens, starting with a letter or digit.
service-error-title = Type a title of at most 255 characters.
service-error-description = The description can be at most 2,000 characters.
service-error-packages = Choose at least one access package from the list.
service-error-level = Choose a security level from the list.
service-error-reminder = Type a whole number of days from 1 to 60.
service-error-text = Fill in subject, text and SMS text together (or leave all three empty), within the length limits.
service-error-taken = This service id is already in use.
compose-service = Message service
compose-recipients = Recipients: national identity numbers or organisation numbers, one per line
compose-reference = Sender's reference
compose-display-sender = Sender name to show (optional)
compose-language = Language
compose-title = Title
compose-summary = Summary (optional)
compose-body = Message text (Markdown)
compose-preview = Preview
compose-publish-at = Published (Norwegian time, empty means now)
compose-due-at = Due (Norwegian time)
compose-confirmation = The recipient must confirm the message
compose-reply-link = Reply link
compose-reply-url = Address (https)
compose-reply-text = Link text
compose-external-reference = External reference
compose-ref-type = Type
compose-ref-value = Value
compose-notification = Notification
compose-channel = Channel
channel-Email = E-mail
channel-Sms = SMS
channel-EmailPreferred = E-mail, else SMS
channel-SmsPreferred = SMS, else e-mail
channel-EmailAndSms = Both e-mail and SMS
compose-reminder = Send a reminder if the message has not been opened
compose-sms-any-time = SMS may be sent at any time of day
compose-notice-custom = Your own notice text (optional; the service's is used otherwise).
compose-ignore-reservation = Send also to persons reserved against digital mail
compose-ignore-reason = Reason for overriding the reservation
compose-check = Check the recipients
compose-send = Send
compose-send-anyway = Send anyway. I know that nobody at these recipients can read the message now, and that paper mail may be needed.
compose-error-service = Choose a message service from the list.
compose-error-recipients-invalid = These are not valid national identity numbers or organisation numbers: { $list }
compose-error-recipients-unknown = We find no recipient with: { $list }
compose-error-recipients-none = Type at least one recipient.
compose-error-recipients-many = At most { $max } recipients in the form. Upload a CSV file for more.
compose-error-reference = Type the sender's reference (at most 4,096 characters).
compose-error-display-sender = The sender name can be at most 255 characters, on one line.
compose-error-language = Choose Bokmål, Nynorsk or English.
compose-error-title = Type a title on one line, at most 255 characters.
compose-error-summary = The summary can be at most 255 characters, on one line.
compose-error-body = Type the message text (at most 30,000 characters).
compose-error-time = Type date and time as YYYY-MM-DDThh:mm.
compose-error-due-needed = A message that must be confirmed needs a due date.
compose-error-due-past = The due date cannot be in the past.
compose-error-due-before-publish = The due date cannot be before publishing.
compose-error-reply-url = Type a complete https address of at most 255 characters.
compose-error-reply-text = Type a link text of at most 255 characters.
compose-error-reference-pair = Fill in both type and value (at most 255 characters).
compose-error-channel = Choose a notification channel from the list.
compose-error-ignore-reason = Say why the reservation should be overridden.
compose-error-send-anyway = Nobody can read the message at one or more recipients. Tick "Send anyway" to send.
input-error-nul = This field holds a character that cannot be stored (NUL, character 0). Remove it and try again.
input-error-utf8 = This field holds bytes that are not text (not UTF-8). Type it again and send the form once more.
form-error-unreadable = The form could not be read in full: a file name or field held characters that cannot be sent. Choose the file again and send once more.
compose-error-references-many = At most 10 external references.
compose-error-properties-many = At most 10 properties.
compose-error-property = A property needs a name of at most 50 characters and a value of at most 300.
compose-error-idempotency-key = The idempotency key must be 1 to 255 characters.
compose-error-sender = The sender must be the service owner sent for (0192: and its organisation number).
preflight-heading = Check before sending
preflight-summary = { $total ->
    [one] One recipient
   *[other] { $total } recipients
}: { $ready } ready, { $reserved } reserved, { $nobody } where nobody can read, { $deleted } deleted.
preflight-ready = Ready
preflight-reserved = Reserved
preflight-nobody = Nobody can read
preflight-deleted = Deleted
preflight-addresses = { $emails } e-mail, { $phones } mobile
preflight-nobody-warning = At one or more recipients nobody has access to read this message. It will lie unread until someone is given access. Consider sending on paper.
preflight-confidential = The service is confidential: the recipient's main administrator must delegate the access package for confidential mail (or the service) to someone who will read it.
preflight-col-recipient = Recipient
preflight-col-outcome = Outcome
preflight-col-readers = Can read
preflight-col-addresses = Notification addresses
sent-none = Nothing has been sent yet.
sent-done = The message has been sent.
sent-col-reference = Reference
sent-col-when = Sent
sent-col-recipients = Recipients
sent-col-opened = Opened
sent-col-not-delivered = Not delivered
sent-col-status = Status
sent-col-published = Published
sent-col-confirmed = Confirmed
sent-col-notifications = Notices
admin-no-owner = You cannot send mail for any service owner. The access "Send messages for the service owner" is granted by the service owner's main administrator.
language-name-nb = Norwegian Bokmål
language-name-nn = Norwegian Nynorsk
language-name-en = English
sent-export = Download the recipient list (CSV)
sent-unpublished = { $count ->
    [one] One message is not published yet and can be withdrawn.
   *[other] { $count } messages are not published yet and can be withdrawn.
}
sent-withdraw = Withdraw what is not published
sent-withdrawn = { $count ->
    [one] One message has been withdrawn.
   *[other] { $count } messages have been withdrawn.
}
sent-show = Show
sent-show-unread = With unread messages
sent-show-notification-failed = With failed notices
sent-show-nobody = Where nobody can read
mass-link = Send to many recipients from a CSV file
mass-title = Send to many (CSV)
mass-intro = Upload a CSV file with one national identity number or organisation number per line (first column). Lines that cannot be used are listed with their line numbers afterwards. There is no upper limit on the number of recipients.
mass-file = CSV file of recipients
mass-send = Upload and send
mass-check = Check the file
mass-check-heading = Check of the file
mass-check-summary = { $lines ->
    [one] One line
   *[other] { $lines } lines
} read: { $recipients ->
    [one] one recipient
   *[other] { $recipients } recipients
} found, { $rejected ->
    [one] one line
   *[other] { $rejected } lines
} rejected. Nothing has been sent.
mass-check-next = The file is kept. Press "Upload and send" to send to the recipients found, or choose another file and check it.
mass-error-file = Choose a CSV file of recipients.
mass-started = The send has started. The recipients are stored in the background; reload the page to see how far it has come.
mass-progress = { $lines ->
    [one] One line
   *[other] { $lines } lines
} read, { $stored ->
    [one] one recipient
   *[other] { $stored } recipients
} stored, { $rejected ->
    [one] one line
   *[other] { $rejected } lines
} rejected.
mass-state-running = In progress
mass-state-done = Done
mass-state-failed = Stopped by an error
mass-reload = Refresh
mass-rejected-heading = Rejected lines
mass-col-line = Line
mass-col-value = Value
mass-col-reason = Reason
mass-rejected-invalid = Not a valid national identity number or organisation number
mass-rejected-unknown = Does not exist
mass-rejected-duplicate = On an earlier line
reports-title = Reports
reports-days = Unread after this many days
reports-none = No messages.
reports-due = Due
reports-more = … and { $count } more.
report-unread = Not opened after { $days } days
report-unread-by-due = Not read by the due date
report-unconfirmed = Not confirmed by the due date
report-nobody = Nobody at the recipient can read the message
attachment-heading = Attachments
attachment-new = Upload an attachment
attachment-help = PDF, text, Office documents, images, ZIP and DICOM. The attachment is stored when you preview, check or send, and can be used again later. Tick the attachments the message should have.
attachment-error-empty-name = The file must have a name.
attachment-error-long-name = The file name can be at most 255 characters.
attachment-error-characters = The file name cannot contain < > : " / \ | ? * or control characters.
attachment-error-reserved = The file name is a reserved name (like CON or COM1). Give the file another name.
attachment-error-extension = This type of file cannot be sent. Use PDF, text, Office documents, images, ZIP or DICOM.
attachment-error-empty = The file is empty.
attachment-error-large = The file is too large.
attachment-error-failed = The attachment could not be stored. Try again.
attachment-error-many = At most 100 attachments per message.
attachment-error-unknown = Choose among your attachments in the list.

## Notification worker
dev-outbox-title = Notification outbox (demo)
dev-outbox-intro = The demo sends no e-mail or SMS; they are collected here, newest first.
dev-outbox-empty = No notifications yet.
dev-outbox-link = See the notifications the demo has sent (e-mail and SMS)
dev-outbox-sms = SMS
dev-outbox-to = To
dev-outbox-at = Sent
dev-outbox-html = Show the HTML version
digest-subject = Weekly report of unread messages
digest-intro = Status of the messages you have sent, as of { $date }. The figures are per service; the report page lists the recipients.
digest-link = See the details
unread-notice-subject = Unread messages for { $org }
unread-notice-body = { $org } has { $count ->
    [one] one message that has
   *[other] { $count } messages that have
} not been opened after a week. Perhaps nobody has been given access; as main administrator you can grant access.
unread-notice-senders = Senders
reports-contact = E-mail address for the weekly report
reports-contact-help = Every Monday the figures on this page are sent here. Leave it empty to turn the report off.
reports-contact-save = Save the address
reports-contact-saved = The address for the weekly report is saved.
reports-contact-error = Enter a valid e-mail address, for example postmottak@agency.no.

# The header
header-logged-in-as = Logged in as
header-acting-for = on behalf of
header-acting-self = on your own behalf
header-person-number = birth no.
header-org-number = org. no.
header-switch-party = Switch party
header-menu = Menu
header-nav = Main menu

# The inbox's folded filters
inbox-search-button = Search
inbox-filter-more-heading = More filters and sorting
inbox-chips-label = Filters in use:
inbox-clear-filters = Remove all filters
inbox-empty-filtered = No messages in { $folder } match the search and filters. The search covers this folder only.
access-done-granted-named = { $who } now has access to “{ $what }”.
access-done-revoked-named = { $who } no longer has access to “{ $what }”.

# Check steps
confirm-cancel = Cancel
access-revoke-confirm-heading = Remove access for { $who }?
access-revoke-confirm-text = { $who } loses access to “{ $what }” at once and can no longer read mail that needs it. A main administrator can give the access again later.
access-revoke-confirm-button = Yes, remove the access
sent-withdraw-confirm-heading = Withdraw { $count ->
    [one] one message
   *[other] { $count } messages
} not yet published?
sent-withdraw-confirm-text = The recipients will never see these messages, and their notices are not sent. Messages already published belong to the recipients and are not touched. This cannot be undone.
sent-withdraw-confirm-button = Yes, withdraw them

# Files as people name them
size-bytes = bytes
file-kind-pdf = PDF document
file-kind-text = Text file
file-kind-html = Web page (HTML)
file-kind-xml = XML file
file-kind-json = JSON file
file-kind-csv = Spreadsheet (CSV)
file-kind-word = Word document
file-kind-excel = Excel spreadsheet
file-kind-powerpoint = PowerPoint presentation
file-kind-zip = ZIP archive
file-kind-dicom = Medical image (DICOM)
file-kind-image = Image
file-kind-other = File
footer-times = All times are Norwegian time (Europe/Oslo).
attachment-uploaded-at = uploaded { $when }

# Notice outcomes on the sender's pages
notice-outcome = { $kind } by { $channel }: { $state }
notice-none = No notice
notice-state-queued = waiting to be sent
notice-state-sending = being sent
notice-state-sent = sent
notice-state-delivered = delivered
notice-state-failed = could not be sent
notice-state-cancelled = cancelled
sent-col-title = Title
service-error-confidential-packages = A confidential service can only be read with the confidential-mail package (or by delegating the service itself). Untick the other packages.
dev-outbox-login-first = (log in as one of the people above first)

# The compose form's sections
compose-choose-service = Choose a service
compose-section-recipients = Recipients
compose-section-service = Service and sender
compose-section-content = Content
compose-section-times = Time and due date

# Who can read, in the preflight
preflight-readers-person = { $delegation ->
    [0] The recipient
    [one] The recipient and one person given access
   *[other] The recipient and { $delegation } people given access
}
preflight-readers-org = { $count ->
    [one] One person
   *[other] { $count } people
}: { $role } by a role in the business register, { $delegation } by delegation.
preflight-readers-none = Nobody: no one holds a role that gives the access the service needs, and no one has been given it. A main administrator must give someone the access before the message can be read.
preflight-readers-systems = { $systems ->
    [one] One system
   *[other] { $systems } systems
} can also fetch it.
access-grant-what-help = An access package gives access to all mail of a kind (the packages are described under “Overview by access package” further down). A single service gives access to mail from that service only.

# Formidling (file transfers)
transfers-title = File transfers
transfers-intro = Formidling: organisations' systems send each other files with your file-transfer services. Here are the services and the latest transfers, with each recipient's status.
transfers-services = File-transfer services
transfers-service-new = New file-transfer service
transfers-service-edit = Edit file-transfer service
transfers-services-none = No file-transfer services yet.
transfers-col-who = Who
transfers-col-limits = Limits
transfers-col-count = Transfers
transfers-limits = Up to { $size }, kept for { $days } days
transfers-senders-owner = Only we send
transfers-senders-any = Any organisation may send
transfers-recipients-any = Any organisation may receive
transfers-recipients-owner = Only we receive
transfers-recent = Latest transfers
transfers-none = No transfers yet.
transfers-col-file = File
transfers-col-sender = Sender
transfers-col-status = Status
transfers-col-recipients = Recipients
transfer-status-Initialized = Waiting for upload
transfer-status-UploadStarted = Uploading
transfer-status-UploadProcessing = Processing
transfer-status-Published = Ready for download
transfer-status-Cancelled = Cancelled
transfer-status-AllConfirmedDownloaded = Downloaded by everyone
transfer-status-Purged = Deleted
transfer-status-Failed = Upload failed
transfer-recipient-Initialized = not downloaded
transfer-recipient-DownloadStarted = downloaded, not confirmed
transfer-recipient-DownloadConfirmed = confirmed
transfers-who-sends = Who may send?
transfers-who-receives = Who may receive?
transfers-systems-help = A recipient's main administrator gives systems access to receive on the access page, as for mail.
transfers-max-size = Largest file (MiB)
transfers-max-size-help = From 1 MiB to 1 TiB (1,048,576 MiB).
transfers-ttl = Time to live (days)
transfers-ttl-help = The file is deleted after this even if not everyone has downloaded it (1–365).
transfers-purge = Delete the file when every recipient has confirmed the download
transfers-grace = Grace period before deletion (hours)
transfers-grace-help = After everyone has confirmed (0–24).
transfers-manifest = Recipients expect a manifest with the file
transfer-error-number = Type a whole number from { $min } to { $max }.
transfer-error-who = Choose who may send and who may receive.
access-transfers-heading = File transfers to the organisation
access-transfers-intro = Files other organisations' systems have sent here, and whether your systems have fetched them. Give a system access to fetch them under “Systems with access”.
access-transfers-none = No files have been sent to the organisation.
transfers-packages = Access packages that give systems access
transfers-packages-help = A main administrator who delegates one of these packages to a system on the access page lets it send and receive with this service for the organisation; delegating the service itself always does. None: only the organisations' own systems and delegations of the service.

# Events (subscriptions)
events-title = Events
events-intro = Your systems' subscriptions to events about mail and file transfers (made through the Events API), and the latest deliveries to them.
events-subscriptions = Subscriptions
events-subscriptions-none = Your systems have no subscriptions.
events-col-endpoint = Endpoint
events-col-filters = Filters
events-col-state = State
events-filters-none = Everything your systems may see
events-state-ok = Delivering
events-state-unvalidated = Waiting for the endpoint to answer the validation event
events-state-retrying = Failing, trying again ({ $n } failures in a row)
events-state-failing = Stopped: the endpoint kept failing
events-deliveries = Latest deliveries
events-deliveries-none = Nothing delivered yet.
events-col-time = Time
events-col-event = Event
events-col-outcome = Outcome
events-delivered = Delivered ({ $code })
events-failed-code = Failed: the endpoint answered { $code }
events-failed = Failed: { $error }
