using System.Globalization;
using System.Text.RegularExpressions;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Ext4;

/// <summary>
/// mke2fs -E stride=, stripe_width=: fs/ext4/super.c: ext4_get_stripe_size() picks the stripe
/// (the width if it fits in a group, else the stride; 1 means none), and fs/ext4/mballoc.c:
/// ext4_mb_scan_aligned() starts a request of whole stripes on a stripe boundary.
/// </summary>
public sealed partial class StripeAllocationTests
{
    /// <summary>The device offset of /b's first block, after /a took one 4 KiB block.</summary>
    private static ulong OffsetOfB(string mkfs)
    {
        var yaml = $$"""
            name: stripe
            kernel: "6.12"
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem: { type: ext4, mkfs: "{{mkfs}}", mount: { dax: always } }
            files:
              - { path: /a, size: 4KiB }
              - { path: /b, size: 64KiB }
            steps:
              - machine-check: { target: { file: /b, offset: 0 } }
            """;
        var what = ScenarioHarness.Run(yaml).ShouldHaveSingleItem().Steps[^1].What;
        var m = DeviceOffset().Match(what);
        m.Success.ShouldBeTrue(what);
        return ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void AWholeStripeRequest_StartsOnAStripeBoundary_Ext4MbScanAligned()
    {
        var plain = OffsetOfB("");
        var striped = OffsetOfB("stride=16");
        (plain % 0x10000).ShouldNotBe(0UL, "without a stripe /b follows /a's block");
        (striped % 0x10000).ShouldBe(0UL, "16 blocks of 4 KiB: a 64 KiB stripe");
        striped.ShouldBeGreaterThan(plain);
    }

    [Theory]
    [InlineData("stride=16,stripe_width=32", false)]  // the width (128 KiB) wins: 64 KiB is not a whole stripe
    [InlineData("stride=1", false)]                   // a stripe of 1 is none
    [InlineData("stripe_width=16", true)]
    public void TheStripe_IsTheWidthThenTheStride_Ext4GetStripeSize(string mkfs, bool aligned) =>
        (OffsetOfB(mkfs) % 0x10000 == 0).ShouldBe(aligned || OffsetOfB("") % 0x10000 == 0);

    [Fact]
    public void ABadStride_IsRefusedByMkfs() =>
        ScenarioHarness.Error("""
            name: stripe
            device: { size: 1GiB, mode: fsdax, data-offset: 2MiB }
            filesystem: { type: ext4, mkfs: "stride=x", mount: { dax: always } }
            files:
              - { path: /a, size: 4KiB }
            """).Message.ShouldContain("mkfs option 'stride' has a bad value 'x'");

    [GeneratedRegex(@"device offset 0x([0-9a-f]+)")]
    private static partial Regex DeviceOffset();
}
