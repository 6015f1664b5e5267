/** The `<option>`s of a campaign picker, one per campaign listed, after whatever first option the page puts. */
export function CampaignOptions({ campaigns }: { campaigns: ReadonlyArray<{ id: string; name: string }> | undefined }) {
  return (
    <>
      {campaigns?.map((campaign) => (
        <option key={campaign.id} value={campaign.id}>
          {campaign.name}
        </option>
      ))}
    </>
  );
}
