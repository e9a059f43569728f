namespace DaxHolder.Kernel.Fs;

/// <summary>
/// lib/errseq.c: an address_space's writeback error (mapping-&gt;wb_err) as a sequence that each
/// open file samples (f_wb_err) and fsync checks, so every file description open when an error
/// happened hears of it once. An error nobody has seen yet is reported even to a file opened
/// after it (errseq_sample() returns 0 while the SEEN flag is clear).
/// </summary>
internal sealed class Errseq
{
    private ulong counter;
    private bool seen;

    /// <summary>How many errors were recorded.</summary>
    public ulong Errors => counter;

    /// <summary>errseq_set(): a new error (mapping_set_error(mapping, -EIO)).</summary>
    public void Set()
    {
        counter++;
        seen = false;
    }

    /// <summary>errseq_sample(): what a new open file starts from.</summary>
    public ulong Sample() => seen ? counter : 0;

    /// <summary>errseq_check_and_advance(): whether an error happened since <paramref name="since"/>; marks it seen and advances the sample.</summary>
    public bool CheckAndAdvance(ref ulong since)
    {
        if (since == counter)
        {
            return false;
        }

        since = counter;
        seen = true;
        return true;
    }
}
