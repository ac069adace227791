//! Syslog inputs: RFC 5424 messages over TCP (RFC 6587: octet-counting `LEN SP MSG` or one
//! message per line, detected per message), over TLS (RFC 5425, same framing), and over UDP
//! (RFC 5426, one message per datagram; lossy by nature, for legacy senders only).
//!
//! Syslog cannot be answered, so a rejected message goes to the dead-letter store with its
//! reason and is counted in `accesslog_gateway_rejected_total`; nothing is dropped silently.
//! When the queue is full, a TCP/TLS connection is simply not read until there is room again:
//! the sender's TCP window fills and it slows down. Memory per connection is bounded by
//! `max_message_bytes` and a batch of 500 messages.

use crate::{ingest::Accepted, now_ms, Shared, StartError};
use accesslog_client::record::RecordError;
use std::{net::SocketAddr, sync::Arc};
use tokio::{
	io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader},
	net::{TcpListener, UdpSocket},
};
use tokio_rustls::TlsAcceptor;

/// Most messages taken from one connection before they are queued together.
const BATCH: usize = accesslog_client::format::limits::MAX_BATCH_SIZE;

/// One frame read from a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
	/// A message.
	Message(Vec<u8>),
	/// A message longer than the limit (its length, and its first KiB), skipped.
	TooLong(usize, Vec<u8>),
	/// Octet-counting framing that is not `LEN SP`: the stream cannot be resynchronised.
	Broken(String),
}

/// Read the next frame; `None` at the end of the stream.
pub async fn read_frame<R: AsyncRead + Unpin>(
	r: &mut BufReader<R>,
	max: usize,
) -> std::io::Result<Option<Frame>> {
	loop {
		let first = match r.fill_buf().await?.first() {
			None => return Ok(None),
			Some(b) => *b,
		};
		if first.is_ascii_digit() {
			// Octet counting: MSG-LEN SP SYSLOG-MSG.
			let mut digits = Vec::new();
			loop {
				let b = r.read_u8().await?;
				if b == b' ' {
					break;
				}
				if !b.is_ascii_digit() || digits.len() >= 9 {
					return Ok(Some(Frame::Broken(format!(
						"octet-counting frame length starting {:?} is not digits followed by a space",
						String::from_utf8_lossy(&digits)
					))));
				}
				digits.push(b);
			}
			let len: usize =
				std::str::from_utf8(&digits).expect("digits; qed").parse().expect("digits; qed");
			if len > max {
				let mut prefix = vec![0; len.min(1024)];
				r.read_exact(&mut prefix).await?;
				let mut rest = (len - prefix.len()) as u64;
				while rest > 0 {
					let n =
						tokio::io::copy(&mut (&mut *r).take(rest), &mut tokio::io::sink()).await?;
					if n == 0 {
						return Err(std::io::ErrorKind::UnexpectedEof.into());
					}
					rest -= n;
				}
				return Ok(Some(Frame::TooLong(len, prefix)));
			}
			let mut msg = vec![0; len];
			r.read_exact(&mut msg).await?;
			return Ok(Some(Frame::Message(msg)));
		}
		// Non-transparent framing: up to LF.
		let mut msg = Vec::new();
		let mut total = 0usize;
		loop {
			let buf = r.fill_buf().await?;
			if buf.is_empty() {
				break;
			}
			let (take, end) = match buf.iter().position(|b| *b == b'\n') {
				Some(i) => (i, true),
				None => (buf.len(), false),
			};
			if msg.len() < max.saturating_add(1) {
				let room = (max + 1 - msg.len()).min(take);
				msg.extend_from_slice(&buf[..room]);
			}
			total += take;
			r.consume(take + usize::from(end));
			if end {
				break;
			}
		}
		if msg.last() == Some(&b'\r') {
			msg.pop();
			total -= 1;
		}
		if total > max {
			msg.truncate(1024);
			return Ok(Some(Frame::TooLong(total, msg)));
		}
		if msg.is_empty() {
			// An empty line is no message (keep-alive); read on.
			continue;
		}
		return Ok(Some(Frame::Message(msg)));
	}
}

/// Bind a syslog TCP listener (TLS when `tls` is given); returns the bound address.
pub async fn serve_tcp(
	shared: Arc<Shared>,
	addr: SocketAddr,
	tls: Option<TlsAcceptor>,
) -> Result<SocketAddr, StartError> {
	let (input, setting) = if tls.is_some() {
		("syslog-tls", "syslog.tls.listen")
	} else {
		("syslog-tcp", "syslog.tcp")
	};
	let bind = |error| StartError::Bind { setting, addr, error };
	let listener = TcpListener::bind(addr).await.map_err(bind)?;
	let bound = listener.local_addr().map_err(bind)?;
	crate::serve_connections(listener, input, move |stream, peer| {
		let (shared, tls) = (shared.clone(), tls.clone());
		async move {
			let peer = peer.to_string();
			let result = match tls {
				Some(acceptor) => match acceptor.accept(stream).await {
					Ok(s) => connection(shared, s, &peer, input).await,
					Err(e) => {
						tracing::warn!(%peer, "syslog TLS handshake failed: {e}");
						return;
					},
				},
				None => connection(shared, stream, &peer, input).await,
			};
			if let Err(e) = result {
				tracing::warn!(%peer, "{input} connection: {e}");
			}
		}
	});
	Ok(bound)
}

/// Read one connection to its end, a batch at a time.
async fn connection<S: AsyncRead + Unpin>(
	shared: Arc<Shared>,
	stream: S,
	peer: &str,
	input: &'static str,
) -> std::io::Result<()> {
	let max = shared.config.syslog.max_message_bytes;
	let mut reader = BufReader::with_capacity(64 * 1024, stream);
	loop {
		let mut frames = Vec::new();
		let mut end = false;
		while frames.len() < BATCH {
			match read_frame(&mut reader, max).await {
				Ok(Some(Frame::Broken(why))) => {
					frames.push(Frame::Broken(why));
					end = true;
					break;
				},
				Ok(Some(frame)) => frames.push(frame),
				Ok(None) => {
					end = true;
					break;
				},
				Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
					frames.push(Frame::Broken("the stream ended inside a message".into()));
					end = true;
					break;
				},
				Err(e) => {
					process(&shared, frames, peer, input).await?;
					return Err(e);
				},
			}
			if reader.buffer().is_empty() {
				break;
			}
		}
		process(&shared, frames, peer, input).await?;
		if end {
			return Ok(());
		}
	}
}

/// Validate, queue (waiting for room) and dead-letter one batch of frames.
async fn process(
	shared: &Arc<Shared>,
	frames: Vec<Frame>,
	peer: &str,
	input: &'static str,
) -> std::io::Result<()> {
	if frames.is_empty() {
		return Ok(());
	}
	shared.metrics.received.with_label_values(&[input]).inc_by(frames.len() as u64);
	let all: Vec<usize> = (0..shared.config.sources.len()).collect();
	let now = now_ms();
	let mut accepted: Vec<(Accepted, String)> = Vec::new();
	let mut dead: Vec<(RecordError, String)> = Vec::new();
	for frame in frames {
		match frame {
			Frame::Message(bytes) => match String::from_utf8(bytes) {
				Ok(text) => match shared.normaliser.syslog(&text, &all, now) {
					Ok(a) => accepted.push((a, text)),
					Err(e) => dead.push((e, text)),
				},
				Err(e) => dead.push((
					RecordError { field: "line", reason: "not UTF-8".into() },
					String::from_utf8_lossy(e.as_bytes()).into_owned(),
				)),
			},
			Frame::TooLong(len, prefix) => dead.push((
				RecordError {
					field: "line",
					reason: format!(
						"message of {len} bytes exceeds syslog.max_message_bytes; first KiB kept"
					),
				},
				String::from_utf8_lossy(&prefix).into_owned(),
			)),
			Frame::Broken(why) => dead.push((
				RecordError { field: "line", reason: format!("{why}; connection closed") },
				String::new(),
			)),
		}
	}
	let io = |e: crate::queue::QueueError| std::io::Error::other(e.to_string());
	// Not reading the socket while this waits for room is the back-pressure.
	match shared.enqueue_waiting(input, accepted, None).await {
		Ok(conflicts) => dead.extend(conflicts),
		Err(e) => {
			shared.dead_letter(input, peer, dead).await.map_err(io)?;
			return Err(io(e));
		},
	}
	shared.dead_letter(input, peer, dead).await.map_err(io)
}

/// Bind the UDP listener; returns the bound address.
pub async fn serve_udp(shared: Arc<Shared>, addr: SocketAddr) -> Result<SocketAddr, StartError> {
	let bind = |error| StartError::Bind { setting: "syslog.udp", addr, error };
	let socket = UdpSocket::bind(addr).await.map_err(bind)?;
	let bound = socket.local_addr().map_err(bind)?;
	tokio::spawn(async move {
		let mut buf = vec![0u8; 65_536];
		loop {
			let mut batch = Vec::new();
			let Ok((n, peer)) = socket.recv_from(&mut buf).await else { continue };
			batch.push((buf[..n].to_vec(), peer));
			while batch.len() < BATCH {
				match socket.try_recv_from(&mut buf) {
					Ok((n, peer)) => batch.push((buf[..n].to_vec(), peer)),
					Err(_) => break,
				}
			}
			if shared.queue.pending() + batch.len() > shared.queue.capacity() {
				// UDP cannot push back: count what is lost.
				shared.metrics.udp_dropped.inc_by(batch.len() as u64);
				continue;
			}
			let peer = batch[0].1.to_string();
			let frames = batch
				.into_iter()
				.map(|(mut b, _)| {
					while b.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
						b.pop();
					}
					Frame::Message(b)
				})
				.collect();
			if let Err(e) = process(&shared, frames, &peer, "syslog-udp").await {
				tracing::error!("syslog udp: {e}");
			}
		}
	});
	Ok(bound)
}

#[cfg(test)]
mod tests {
	use super::*;

	async fn frames(input: &[u8], max: usize) -> Vec<Frame> {
		let mut r = BufReader::new(input);
		let mut out = Vec::new();
		while let Some(f) = read_frame(&mut r, max).await.unwrap() {
			let broken = matches!(f, Frame::Broken(_));
			out.push(f);
			if broken {
				break;
			}
		}
		out
	}

	#[tokio::test]
	async fn both_framings_are_read_per_message() {
		let got = frames(b"5 <1>1 abc\n\n<2>1 x\r\n12 <3>1 a\nb c d<4>1 tail", 100).await;
		assert_eq!(
			got,
			vec![
				Frame::Message(b"<1>1 ".to_vec()),
				Frame::Message(b"abc".to_vec()),
				Frame::Message(b"<2>1 x".to_vec()),
				Frame::Message(b"<3>1 a\nb c d".to_vec()),
				Frame::Message(b"<4>1 tail".to_vec()),
			]
		);
	}

	#[tokio::test]
	async fn long_messages_are_skipped_not_buffered() {
		let mut input = b"30 ".to_vec();
		input.extend([b'a'; 30]);
		input.extend(b"<1>1 ok\n");
		input.extend([b'b'; 40]);
		input.extend(b"\n<2>1 ok");
		let got = frames(&input, 20).await;
		assert_eq!(got[0], Frame::TooLong(30, vec![b'a'; 30]));
		assert_eq!(got[1], Frame::Message(b"<1>1 ok".to_vec()));
		assert_eq!(got[2], Frame::TooLong(40, vec![b'b'; 21]));
		assert_eq!(got[3], Frame::Message(b"<2>1 ok".to_vec()));
		assert!(matches!(&frames(b"12x <1>", 20).await[0], Frame::Broken(_)));
	}
}
