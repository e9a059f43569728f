namespace DaxHolder.Abstractions;

/// <summary>
/// A value or an errno: the model's form of a kernel function that returns a pointer or
/// ERR_PTR(-errno). A failure may carry a message for the person running the scenario (for
/// example which mkfs option was not understood); the kernel's own log lines go to the kernel log
/// instead.
/// </summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly struct ErrnoOr<T> : IEquatable<ErrnoOr<T>>
{
    private readonly T? value;

    private ErrnoOr(T? value, Errno error, string? message)
    {
        this.value = value;
        Error = error;
        Message = message;
    }

    /// <summary><see cref="Errno.Ok"/> on success, else why it failed.</summary>
    public Errno Error { get; }

    /// <summary>A human-readable reason for a failure, or null.</summary>
    public string? Message { get; }

    /// <summary>Whether this holds a value.</summary>
    public bool IsOk => Error == Errno.Ok;

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">This is a failure.</exception>
    public T Value => IsOk ? value! : throw new InvalidOperationException($"no value: {Error.ToKernelString()} {Message}".TrimEnd());

#pragma warning disable CA1000 // static factories on a generic result type are the idiom
    /// <summary>A success.</summary>
    public static ErrnoOr<T> Ok(T value) => new(value, Errno.Ok, null);

    /// <summary>A failure with <paramref name="error"/>, which must not be <see cref="Errno.Ok"/>.</summary>
    public static ErrnoOr<T> Fail(Errno error, string? message = null) =>
        error == Errno.Ok
            ? throw new ArgumentException("a failure needs an errno other than Ok", nameof(error))
            : new(default, error, message);
#pragma warning restore CA1000

    /// <summary>The value, or <paramref name="fallback"/> on failure.</summary>
    public T? ValueOr(T? fallback) => IsOk ? value : fallback;

    /// <inheritdoc />
    public bool Equals(ErrnoOr<T> other) =>
        Error == other.Error && Message == other.Message && EqualityComparer<T?>.Default.Equals(value, other.value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ErrnoOr<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(value, Error, Message);

    /// <summary>The value, or the errno and message.</summary>
    public override string ToString() =>
        IsOk ? $"{value}" : $"{Error.ToKernelString()}{(Message is null ? "" : ": " + Message)}";

#pragma warning disable CS1591
    public static bool operator ==(ErrnoOr<T> left, ErrnoOr<T> right) => left.Equals(right);
    public static bool operator !=(ErrnoOr<T> left, ErrnoOr<T> right) => !left.Equals(right);
#pragma warning restore CS1591
}
