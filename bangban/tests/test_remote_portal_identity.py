"""Remote help reads the portal's signed-in citizen from the visit's session without
importing the portal (an area may not import a face): the key must stay the portal's."""

from bangban.portal.identity import SESSION_KEY
from bangban.remote.parties import PORTAL_IDENTITY_KEY


def test_remote_help_reads_the_portal_identity_under_the_portal_s_key():
    assert PORTAL_IDENTITY_KEY == SESSION_KEY
