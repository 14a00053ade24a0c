-- Realistic searches (text, filters, distance, typos), shared by the wrk
-- scripts search.lua and mixed.lua. Loaded with dofile from the repository
-- root, where the load scripts run.
return {
  "/api/v1/search?q=personal+assistant&area=M14&sort=distance",
  "/api/v1/search?q=dementia+care&category=personal_care&availability=weekday_evening&area=M20",
  "/api/v1/search?q=persnal+asistant+evenings&area=M1",
  "/api/v1/search?q=a+carer+for+weekends+near+M14+who+speaks+Urdu",
  "/api/v1/search?category=day_opportunities&area=M8&max_price=60.00&sort=price",
  "/api/v1/search?q=respite&area=SK4",
  "/api/v1/search?q=swimming&area=BL1&per_page=10",
  "/api/v1/search?q=home+help&area=OL1&accepting=true",
}
