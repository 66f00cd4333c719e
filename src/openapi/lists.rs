//! Pages refer to their item schema instead of copying it.
//!
//! utoipa inlines a generic type's parameter, so `Paginated<CaseView>` carried a copy of
//! `CaseView` as its `items.items`. A client generated from that document gets a second class
//! per list (`PaginatedCaseViewItemsItem`) that is not the `CaseView` its other operations
//! return; a partner office would convert between identical types. Every page names its item
//! schema in its own name (`Paginated_CaseView`), so the copy is replaced by a `$ref` to it.

use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::Modify;

/// How utoipa names the page of `T`: `Paginated_T`.
const PAGE_PREFIX: &str = "Paginated_";

/// Points every page's items at the item schema.
pub struct PageItemsByReference;

impl Modify for PageItemsByReference {
    fn modify(&self, openapi: &mut OpenApi) {
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let known: Vec<String> = components.schemas.keys().cloned().collect();
        for (name, schema) in components.schemas.iter_mut() {
            let Some(item) = name.strip_prefix(PAGE_PREFIX) else {
                continue;
            };
            if !known.iter().any(|k| k == item) {
                continue;
            }
            let RefOr::T(Schema::Object(page)) = schema else {
                continue;
            };
            if let Some(RefOr::T(Schema::Array(items))) = page.properties.get_mut("items") {
                items.items =
                    ArrayItems::RefOrSchema(Box::new(RefOr::Ref(Ref::from_schema_name(item))));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    #[test]
    fn every_page_refers_to_its_item_schema() {
        let document = serde_json::to_value(crate::openapi::ApiDoc::openapi()).unwrap();
        let schemas = document["components"]["schemas"].as_object().unwrap();
        let pages: Vec<_> = schemas
            .keys()
            .filter(|n| n.starts_with("Paginated_"))
            .collect();
        assert!(pages.len() >= 10, "{pages:?}");
        for page in pages {
            let item = page.trim_start_matches("Paginated_");
            assert_eq!(
                schemas[page]["properties"]["items"]["items"],
                serde_json::json!({"$ref": format!("#/components/schemas/{item}")}),
                "{page}"
            );
        }
    }
}
