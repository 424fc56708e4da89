namespace Cairn.Transport.Wire;

/// <summary>
/// Malformed or oversized peer input: truncated fields, unknown kinds, lengths or counts past the frame or over a
/// limit. An operating error (the peer is broken or hostile), never a programmer error: the connection that sent it
/// is closed and the node keeps serving.
/// </summary>
public sealed class FrameFormatException : FormatException
{
    public FrameFormatException(string message) : base(message)
    {
    }

    public FrameFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
