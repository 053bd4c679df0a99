# keys.jq — the keys of fundguard's findings that bench/screen compares with the SQL peers, as
# "model<TAB>key" lines: the same keys models.sql leaves in k_<model>.
def k:
  if .model == "trace_duplicate" then .drug_trac_codg
  elif .model == "trace_reflow" or .model == "sale_unpurchased" then
    "\(.drug_trac_codg)|\(.fixmedins_code)"
  elif .model == "after_death" or .model == "injury_third_party" or .model == "staff_suspended"
    or .model == "institution_suspended" then .setl_ids[]?
  elif .model == "care_during_stay" or .model == "readmission" then .mdtrt_ids[]?
  elif .model == "frequent_visits" then .psn_no
  elif .model == "quantity_excess" then "\(.psn_no)|\(.med_list_codg)"
  elif .model == "invoice_duplicate" then .invono
  elif .model == "peer_outlier" then .fixmedins_code
  elif .model == "covisit_group" then .psn_nos[]?
  elif .model == "staff_overload" then .staff_code
  else empty end;
select(.model != null) | "\(.model)\t\(k // empty)"
