//! Bar charts drawn as SVG on the server: no JavaScript, and each chart sits
//! above a table holding the same figures for screen readers and copying.

/// Pixels: the label column, the longest bar, one bar's height and gap.
const LABEL_WIDTH: f64 = 230.0;
const BAR_SPACE: f64 = 330.0;
const BAR_HEIGHT: f64 = 20.0;
const GAP: f64 = 8.0;

#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// The figure written after the bar.
    pub text: String,
    pub y: f64,
    pub width: f64,
    /// Bars can be marked to stand out (a flagged broker, a gap with no supply).
    pub marked: bool,
}

#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub bars: Vec<Bar>,
}

impl BarChart {
    /// `items` are (label, value, text, marked); bars scale to the largest value.
    pub fn new(title: impl Into<String>, items: Vec<(String, f64, String, bool)>) -> Self {
        let largest = items.iter().map(|i| i.1).fold(0.0_f64, f64::max);
        let bars = items
            .into_iter()
            .enumerate()
            .map(|(i, (label, value, text, marked))| Bar {
                label: if label.chars().count() > 34 {
                    format!("{}…", label.chars().take(33).collect::<String>())
                } else {
                    label
                },
                text,
                y: i as f64 * (BAR_HEIGHT + GAP),
                width: if largest > 0.0 {
                    (value.max(0.0) / largest * BAR_SPACE).max(1.0)
                } else {
                    1.0
                },
                marked,
            })
            .collect();
        BarChart {
            title: title.into(),
            bars,
        }
    }

    pub fn height(&self) -> f64 {
        (self.bars.len() as f64 * (BAR_HEIGHT + GAP)).max(BAR_HEIGHT)
    }

    pub fn label_width(&self) -> f64 {
        LABEL_WIDTH
    }

    pub fn bar_height(&self) -> f64 {
        BAR_HEIGHT
    }

    pub fn text_x(&self, bar: &Bar) -> f64 {
        LABEL_WIDTH + bar.width + 6.0
    }

    pub fn text_y(&self, bar: &Bar) -> f64 {
        bar.y + BAR_HEIGHT * 0.72
    }
}
