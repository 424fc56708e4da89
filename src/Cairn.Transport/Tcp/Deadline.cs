namespace Cairn.Transport.Tcp;

/// <summary>
/// A cancellation token that fires after a delay measured by a <see cref="TimeProvider"/>, or when an outer token
/// fires. (A linked token source cannot take a TimeProvider, hence this small pair.)
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _link;

    public Deadline(TimeProvider time, int delayMs, CancellationToken outer)
    {
        _source = new CancellationTokenSource(TimeSpan.FromMilliseconds(delayMs), time);
        _link = outer.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the deadline itself (not the outer token) cancelled.</summary>
    public bool Expired(CancellationToken outer) => _source.IsCancellationRequested && !outer.IsCancellationRequested;

    public void Dispose()
    {
        _link.Dispose();
        _source.Dispose();
    }
}
