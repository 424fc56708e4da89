using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Cairn.Transport;

/// <summary>Where a peer's listener is reached: a host name or IP literal and a TCP port.</summary>
public readonly record struct PeerAddress
{
    public PeerAddress(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Host = host;
        Port = port;
    }

    public string Host { get; }
    public int Port { get; }

    /// <summary>Parses "host:port", "1.2.3.4:port" or "[::1]:port".</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PeerAddress address)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host.Length == 0 || host.Contains(':') && !text.StartsWith('[')) return false;
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535) return false;
        address = new PeerAddress(host, port);
        return true;
    }

    public static PeerAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not host:port");

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
