using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Cairn;

/// <summary>
/// Assertions that stay on in release builds. A failed invariant is a programmer error:
/// the process must stop rather than continue with state it cannot trust.
/// </summary>
public static class Invariant
{
    public static void Check([DoesNotReturnIf(false)] bool condition,
        [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition) Fail(expression);
    }

    public static void Check([DoesNotReturnIf(false)] bool condition, string message,
        [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition) Fail($"{message} ({expression})");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Fail(string? what) => throw new InvariantViolationException(what ?? "invariant violated");
}

/// <summary>Thrown when an always-on assertion fails. Never caught by product code.</summary>
public sealed class InvariantViolationException(string message) : Exception(message);
