"""The tests' SMTP server: aiosmtpd's Maildir handler, refusing recipients whose local part
starts with "bounce" with a permanent 550 (a mailbox that does not exist), quoting the address
as Postfix does."""

from aiosmtpd.handlers import Mailbox


class Handler(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("bounce"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"
