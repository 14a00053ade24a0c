DROP TABLE listing_price_changes;
DROP TABLE listing_fees;
DROP TABLE listing_rates;
DROP TABLE listing_areas;
DROP TABLE listings;
DROP TABLE seller_profiles;
