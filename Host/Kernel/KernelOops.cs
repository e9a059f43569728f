namespace DaxHolder.Kernel;

/// <summary>
/// Where the real kernel crashes (an oops: a BUG or a bad dereference in kernel mode), the model
/// throws this from the function that crashes; the entry point that called into the kernel
/// catches it, records the oops and kills the task that was current, as the kernel does.
/// </summary>
internal sealed class KernelOops : Exception
{
    public KernelOops(string bugLine, IReadOnlyList<string> callChain)
        : base(bugLine)
    {
        BugLine = bugLine;
        CallChain = callChain;
    }

    public KernelOops()
        : this("BUG", [])
    {
    }

    public KernelOops(string message, Exception inner)
        : base(message, inner)
    {
        BugLine = message;
        CallChain = [];
    }

    public KernelOops(string message)
        : this(message, [])
    {
    }

    /// <summary>The first line the kernel prints, verbatim.</summary>
    public string BugLine { get; }

    /// <summary>The functions on the stack, innermost first.</summary>
    public IReadOnlyList<string> CallChain { get; }
}
