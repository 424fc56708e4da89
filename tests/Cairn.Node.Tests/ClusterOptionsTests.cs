using System.ComponentModel.DataAnnotations;
using Cairn.Node.Cluster;

namespace Cairn.Node.Tests;

/// <summary>The limits added for durability and data-loss detection are validated like every cluster option (cairn serve refuses to start).</summary>
public sealed class ClusterOptionsTests
{
    private static List<string> Errors(ClusterOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.SelectMany(r => r.MemberNames)];
    }

    [Fact]
    public void Defaults_AreValid() => Assert.Empty(Errors(new ClusterOptions()));

    [Theory]
    [InlineData(nameof(ClusterOptions.RecoveryProbeIntervalMs))]
    [InlineData(nameof(ClusterOptions.WalSegmentBytes))]
    [InlineData(nameof(ClusterOptions.SnapshotLogTailEntries))]
    public void OutOfRange_IsRefused(string option)
    {
        var options = option switch
        {
            nameof(ClusterOptions.RecoveryProbeIntervalMs) => new ClusterOptions { RecoveryProbeIntervalMs = 0 },
            nameof(ClusterOptions.WalSegmentBytes) => new ClusterOptions { WalSegmentBytes = Storage.StorageOptions.SegmentBytesMin - 1 },
            _ => new ClusterOptions { SnapshotLogTailEntries = -1 },
        };
        Assert.Equal([option], Errors(options));
    }
}
