//! The region tree: which region lies inside which (`us-oregon` inside `us`), the
//! groups a region belongs to through its ancestors (`eea`), and its country.

use super::model::Region;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub struct Regions {
    index: HashMap<String, usize>,
    parent: Vec<Option<usize>>,
}

impl Regions {
    /// Indexes regions; parents that do not resolve are left out (the validator reports them).
    pub fn build(regions: &[Region]) -> Self {
        let mut index = HashMap::with_capacity(regions.len());
        for (i, region) in regions.iter().enumerate() {
            index.entry(region.id.value.clone()).or_insert(i);
        }
        let parent = regions
            .iter()
            .map(|r| r.parent.as_ref().and_then(|p| index.get(&p.value).copied()))
            .collect();
        Regions { index, parent }
    }

    pub fn get(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn contains_id(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    /// The chain from `region` up to its root, stopping if a cycle is met.
    pub fn ancestors(&self, region: usize) -> Vec<usize> {
        let mut chain = vec![region];
        let mut current = self.parent.get(region).copied().flatten();
        while let Some(r) = current {
            if chain.contains(&r) {
                break;
            }
            chain.push(r);
            current = self.parent.get(r).copied().flatten();
        }
        chain
    }

    /// Whether `region` is inside `target`: `target` is the region, one of its ancestors,
    /// or a group that it or an ancestor belongs to.
    pub fn within(&self, regions: &[Region], region: usize, target: &str) -> bool {
        self.ancestors(region).into_iter().any(|r| {
            let declared = &regions[r];
            declared.id.value == target || declared.groups.iter().any(|g| g.value == target)
        })
    }

    /// The first country code on the chain from `region` upwards.
    pub fn country<'a>(&self, regions: &'a [Region], region: usize) -> Option<&'a str> {
        self.ancestors(region)
            .into_iter()
            .find_map(|r| regions[r].country.as_ref().map(|c| c.value.as_str()))
    }

    /// Regions whose parent chain loops back on itself, each reported once by the
    /// lowest index on the loop.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let mut found = Vec::new();
        for start in 0..self.parent.len() {
            let mut seen = vec![start];
            let mut current = self.parent[start];
            while let Some(r) = current {
                if r == start {
                    if seen.iter().min() == Some(&start) {
                        found.push(seen.clone());
                    }
                    break;
                }
                if seen.contains(&r) {
                    break;
                }
                seen.push(r);
                current = self.parent[r];
            }
        }
        found
    }
}
