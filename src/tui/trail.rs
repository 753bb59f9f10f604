//! The way back: every jump from one view into another (Enter on a promise into its
//! findings, Enter on a flow into the graph, `f` on a node into its findings) is
//! remembered, so that Esc in the view it landed in returns to the view it came from,
//! with the landed view's focus as it was before. Switching views by hand (Tab, a
//! number, a click on a tab) starts a new trail.

use super::app::ViewId;
use super::views::Target;

/// Most jumps remembered; older ones are forgotten first.
const MAX_JUMPS: usize = 32;

/// One jump from a view into another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jump {
    pub from: ViewId,
    pub to: ViewId,
    /// What the view jumped into was focused on before the jump, to put back.
    pub before: Option<Target>,
    /// How many steps the view jumped into could take back by itself right after the
    /// jump (see [`super::views::View::depth`]): Esc leaves it only once it is back
    /// there, so steps taken inside it (a walk along the graph) are undone first.
    pub depth: usize,
}

/// The jumps followed, most recent last.
#[derive(Debug, Default)]
pub struct Trail {
    jumps: Vec<Jump>,
}

impl Trail {
    /// Remembers a jump.
    pub fn push(&mut self, jump: Jump) {
        if self.jumps.len() == MAX_JUMPS {
            self.jumps.remove(0);
        }
        self.jumps.push(jump);
    }

    /// Forgets every jump: the user switched views by hand.
    pub fn clear(&mut self) {
        self.jumps.clear();
    }

    /// The jump Esc would undo in `view` when that view can take `depth` steps back by
    /// itself: the last jump, if it landed in `view` and `view` has walked back to
    /// where it landed.
    pub fn way_back(&self, view: ViewId, depth: usize) -> Option<&Jump> {
        self.jumps
            .last()
            .filter(|jump| jump.to == view && depth <= jump.depth)
    }

    /// Takes the last jump off the trail, to return along it.
    pub fn pop(&mut self) -> Option<Jump> {
        self.jumps.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jump(from: ViewId, to: ViewId, depth: usize) -> Jump {
        Jump {
            from,
            to,
            before: None,
            depth,
        }
    }

    #[test]
    fn esc_returns_along_the_jumps_in_reverse() {
        let mut trail = Trail::default();
        trail.push(jump(ViewId::Inventory, ViewId::Graph, 1));
        trail.push(jump(ViewId::Graph, ViewId::Findings, 0));
        assert_eq!(trail.way_back(ViewId::Graph, 1), None, "not the last jump");
        let back = trail.way_back(ViewId::Findings, 0).cloned();
        assert_eq!(back.map(|j| j.from), Some(ViewId::Graph));
        trail.pop();
        assert_eq!(
            trail.way_back(ViewId::Graph, 1).map(|j| j.from),
            Some(ViewId::Inventory)
        );
    }

    #[test]
    fn steps_taken_inside_the_landed_view_are_undone_first() {
        let mut trail = Trail::default();
        trail.push(jump(ViewId::Flows, ViewId::Graph, 0));
        assert_eq!(
            trail.way_back(ViewId::Graph, 2),
            None,
            "walked two nodes on"
        );
        assert!(trail.way_back(ViewId::Graph, 0).is_some());
    }

    #[test]
    fn switching_views_by_hand_forgets_the_way_back() {
        let mut trail = Trail::default();
        trail.push(jump(ViewId::Overview, ViewId::Findings, 0));
        trail.clear();
        assert_eq!(trail.way_back(ViewId::Findings, 0), None);
    }

    #[test]
    fn only_the_latest_jumps_are_kept() {
        let mut trail = Trail::default();
        for _ in 0..MAX_JUMPS + 5 {
            trail.push(jump(ViewId::Overview, ViewId::Findings, 0));
        }
        assert_eq!(trail.jumps.len(), MAX_JUMPS);
    }
}
