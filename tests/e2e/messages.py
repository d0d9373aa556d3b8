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
# The last question after a success (ContinuePrompt): what was said after
# the last real question is its text, so the user reads it exactly once.
CONTINUE = "Press Enter to continue. "
WRONG = "That code is not correct. "
TOO_SHORT = "That number is too short for US."
TOO_MANY = "Too many wrong codes. The registration was not completed."
QUIT = "No method was registered. You cannot log in until you register one"
CANNOT = "This login cannot ask questions"
DENIED = "Access is denied until then."
WARN = "Reminder: register a password-reset method at https://aka.ms/ssprsetup"
WARN_FULL = WARN + " so you can reset your password if you forget it."
SCAN = "Scan to register:"
URL = "https://aka.ms/ssprsetup"
# No longer part of CANNOT: it must not be shown at all.
KBD_HINT = "ssh -o PreferredAuthentications=keyboard-interactive"

# The QR code's text (ScanQrText): rows of these, each as wide as the code
# with its quiet zone; two modules a row.
QR_CHARS = "\u2588\u2580\u2584 "


# The masked number in DONE: "+1 •••-•••-••23" (U+2022). In a non-UTF-8
# locale the ssh client prints prompts and banners through vis(3):
# "\342\200\242".
def masked(last2, vis=False):
    dot = "\\342\\200\\242" if vis else "\u2022"
    return f"+1 {dot * 3}-{dot * 3}-{dot * 2}{last2}"


# A whole successful registration, in order, each shown once; the last is
# the closing question, answered with Enter.
REGISTRATION = [INTRO, MENU, REGION, NUMBER, CHANNEL, SENT, CODE, VERIFIED,
                BACKUP, DONE, CONTINUE]
