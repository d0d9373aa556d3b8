"""Distinctive pieces of the texts the helper sends (helper/texts.cc), to
count how often the ssh client shows each one."""

INTRO = "Don't lose access to your account!"
MENU = "Choose a method to register:"
REGION = "Country or region code (e.g. US, GB or +44)"
NUMBER = "Phone number (US), with area code: "
CHANNEL = "We will send a code to +1 201-555-01"
SENT = "We texted a 6-digit code to +1 201-555-01"
CODE = "Enter the code (r = send a new code, b = back, q = quit): "
VERIFIED = "Thanks! Your Authentication phone +1 201-555-01"
BACKUP = "Add a backup method now? [y/N]: "
DONE = "You're all set. Registered for password reset:"
QUIT = "No method was registered. You cannot log in until you register one"
CANNOT = "This login cannot ask questions"
DENIED = "Access is denied until then."
WARN = "Reminder: register a password-reset method at https://aka.ms/ssprsetup"
URL = "https://aka.ms/ssprsetup"
KBD_HINT = "ssh -o PreferredAuthentications=keyboard-interactive"


# The masked number in DONE: "+1 •••-•••-••23" (U+2022). In a non-UTF-8
# locale the ssh client prints banners through vis(3): "\342\200\242".
def masked(last2, vis=False):
    dot = "\\342\\200\\242" if vis else "\u2022"
    return f"+1 {dot * 3}-{dot * 3}-{dot * 2}{last2}"


# A whole successful registration, in order, each shown once.
REGISTRATION = [INTRO, MENU, REGION, NUMBER, CHANNEL, SENT, CODE, VERIFIED,
                BACKUP]
