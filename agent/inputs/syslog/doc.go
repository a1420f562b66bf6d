// Package syslog is the syslog input: RFC 5424 and RFC 3164 messages over
// UDP (RFC 5426), TCP (RFC 6587: octet counting and non-transparent
// framing, detected per message) and TLS (RFC 5425), as rsyslog,
// syslog-ng, util-linux logger and network devices send them.
//
// The input frames the stream (Framer, a byte scanner that returns
// slices of its buffer), reads each message's priority, host name and
// application (ParseHeader) for the stream labels and structured
// metadata, and hands the message, as received, to the agent's ingest,
// whose rules parse it with the syslog format (sshd, sudo, PAM, postfix,
// dovecot identifiers) and anonymize it before it is spooled. Labels and
// metadata are anonymized by the agent too.
//
// Nothing in this package logs record content or a sender's address:
// errors name the input and the byte offset in the connection.
package syslog
