//! Charts drawn on the server as SVG: no script, no library, readable with scripts off. Colours
//! meet WCAG AA contrast on the page's background, and every chart has a text alternative.

use maud::{html, Markup};

/// Width of a bar or column chart, in SVG units (about its width on screen, in pixels, so that
/// its text has the page's size).
const WIDTH: f64 = 480.0;
/// Width of a line chart.
const LINE_WIDTH: f64 = 900.0;

/// A horizontal bar chart of `rows` (label, value), largest first as given; `title` names it for
/// screen readers.
pub fn bars(title: &str, rows: &[(String, u64)]) -> Markup {
	let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
	let row_h = 24.0;
	let label_w = 190.0;
	let height = row_h * rows.len() as f64 + 8.0;
	html! {
		figure.chart {
			figcaption { (title) }
			@if rows.is_empty() {
				p.muted { "—" }
			} @else {
				svg viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-label=(title) {
					@for (i, (label, value)) in rows.iter().enumerate() {
						@let y = 4.0 + i as f64 * row_h;
						@let w = ((WIDTH - label_w - 70.0) * (*value as f64) / max).max(1.0);
						text x=(label_w - 8.0) y=(y + 16.0) text-anchor="end" class="label" { title { (label) ": " (value) } (truncate(label, 24)) }
						rect x=(label_w) y=(y + 3.0) width=(w) height=(row_h - 8.0) class="bar" {}
						text x=(label_w + w + 6.0) y=(y + 16.0) class="value" { (value) }
					}
				}
			}
		}
	}
}

/// A column chart of `points` (label, value) in time order, e.g. accesses per hour.
pub fn columns(title: &str, points: &[(String, u64)]) -> Markup {
	let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
	let height = 180.0;
	let plot_h = 140.0;
	let n = points.len().max(1) as f64;
	let col_w = (WIDTH - 40.0) / n;
	html! {
		figure.chart {
			figcaption { (title) }
			@if points.is_empty() {
				p.muted { "—" }
			} @else {
				svg viewBox={ "0 0 " (WIDTH) " " (height) } role="img" aria-label=(title) {
					line x1="40" y1=(plot_h + 4.0) x2=(WIDTH) y2=(plot_h + 4.0) class="axis" {}
					text x="36" y="14" text-anchor="end" class="label" { (max as u64) }
					text x="36" y=(plot_h + 4.0) text-anchor="end" class="label" { "0" }
					@for (i, (label, value)) in points.iter().enumerate() {
						@let h = (plot_h * (*value as f64) / max).max(if *value > 0 { 1.0 } else { 0.0 });
						@let x = 40.0 + i as f64 * col_w;
						rect x=(x + 1.0) y=(plot_h + 4.0 - h) width=((col_w - 2.0).max(1.0)) height=(h) class="bar" {
							title { (label) ": " (value) }
						}
						@if points.len() <= 12 || i % (points.len() / 6).max(1) == 0 {
							text x=(x + col_w / 2.0) y=(height - 6.0) text-anchor="middle" class="label" { (label) }
						}
					}
				}
			}
		}
	}
}

/// A line of `points` (ms since the epoch, value) over the last `span_ms`, e.g. finality lag.
pub fn line(title: &str, points: &[(u64, u64)], span_ms: u64, now_ms: u64) -> Markup {
	let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(4) as f64;
	let height = 160.0;
	let plot_h = 120.0;
	let start = now_ms.saturating_sub(span_ms);
	let x = |t: u64| 40.0 + (LINE_WIDTH - 48.0) * (t.saturating_sub(start) as f64) / span_ms as f64;
	let y = |v: u64| 8.0 + plot_h - plot_h * (v as f64) / max;
	let path: Vec<String> =
		points.iter().map(|(t, v)| format!("{:.1},{:.1}", x(*t), y(*v))).collect();
	html! {
		figure.chart {
			figcaption { (title) }
			svg viewBox={ "0 0 " (LINE_WIDTH) " " (height) } role="img" aria-label=(title) {
				line x1="40" y1=(8.0 + plot_h) x2=(LINE_WIDTH - 8.0) y2=(8.0 + plot_h) class="axis" {}
				text x="36" y="14" text-anchor="end" class="label" { (max as u64) }
				text x="36" y=(8.0 + plot_h) text-anchor="end" class="label" { "0" }
				text x="40" y=(height - 8.0) class="label" { "-60 min" }
				text x=(LINE_WIDTH - 8.0) y=(height - 8.0) text-anchor="end" class="label" { "now" }
				@if !path.is_empty() {
					polyline points=(path.join(" ")) class="series" {}
				}
			}
		}
	}
}

/// `s` in at most `max` characters: its start and its end (where API paths differ), joined by
/// an ellipsis.
fn truncate(s: &str, max: usize) -> String {
	let chars: Vec<char> = s.chars().collect();
	if chars.len() <= max {
		return s.to_string();
	}
	let head = max / 3;
	let tail = max - head - 1;
	let mut t: String = chars[..head].iter().collect();
	t.push('…');
	t.extend(&chars[chars.len() - tail..]);
	t
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn labels_from_producers_are_escaped_in_the_svg() {
		let svg = bars("t", &[("<script>alert(1)</script>".into(), 3)]).into_string();
		assert!(!svg.contains("<script>"), "{svg}");
		assert!(svg.contains("&lt;script&gt;"), "{svg}");
	}

	#[test]
	fn long_labels_keep_their_start_and_end() {
		assert_eq!(
			truncate("GET /household/v1/persons/{id}/address", 24),
			"GET /hou…ns/{id}/address"
		);
		assert_eq!(truncate("short", 24), "short");
	}

	#[test]
	fn bars_scale_to_the_largest_value() {
		let svg = bars("t", &[("a".into(), 10), ("b".into(), 5)]).into_string();
		assert!(svg.contains("width=\"220\""), "{svg}");
		assert!(svg.contains("width=\"110\""), "{svg}");
	}
}
