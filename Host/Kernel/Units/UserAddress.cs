using System.Globalization;
using DaxHolder.Abstractions;

namespace DaxHolder.Kernel.Units;

/// <summary>A user virtual address in one mm. Printed as the kernel's %#lx.</summary>
internal readonly record struct UserAddress(ulong Value) : IComparable<UserAddress>
{
    /// <summary>The address -EFAULT stands for when page_address_in_vma() finds none.</summary>
    public static UserAddress Efault => new(unchecked((ulong)-(long)Abstractions.Errno.EFAULT));

    public bool IsEfault => this == Efault;

    public UserAddress Add(ulong bytes) => new(checked(Value + bytes));

    /// <summary>The address <paramref name="bytes"/> further on, modulo 2^64, as a user program's pointer arithmetic wraps.</summary>
    public UserAddress AddWrapping(ulong bytes) => new(unchecked(Value + bytes));

    public UserAddress AlignDown(ulong size) => new(Value & ~(size - 1));

    public UserAddress PageAligned => AlignDown(PageGeometry.PageSize);

    public int CompareTo(UserAddress other) => Value.CompareTo(other.Value);

    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);

    public static bool operator <(UserAddress left, UserAddress right) => left.Value < right.Value;
    public static bool operator >(UserAddress left, UserAddress right) => left.Value > right.Value;
    public static bool operator <=(UserAddress left, UserAddress right) => left.Value <= right.Value;
    public static bool operator >=(UserAddress left, UserAddress right) => left.Value >= right.Value;
}
