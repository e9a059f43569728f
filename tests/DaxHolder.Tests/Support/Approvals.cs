namespace DaxHolder.Tests.Support;

/// <summary>
/// The one way tests approve text: Shouldly's ShouldMatchApproved with an approved file beside
/// the test (<c>Class.Method[.name].approved.txt</c>), LF line endings compared exactly, and no
/// diff tool launched when CI=true.
/// </summary>
public static class Approvals
{
    /// <summary>Whether this is a CI run (no diff tools, no accepting).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Approve <paramref name="text"/>; <paramref name="name"/> tells several approvals of one test apart.</summary>
    public static void ShouldMatchApprovedText(this string text, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        normalised.ShouldMatchApproved(builder =>
        {
            builder.WithFileExtension("txt").DoNotIgnoreLineEndings().LocateTestMethodUsingAttribute<FactAttribute>();
            if (name is not null)
            {
                builder.WithDiscriminator(name);
            }

            if (IsCi)
            {
                builder.NoDiff();
            }
        });
    }
}
