using System.Text;
using Cairn.Storage.Internal;

namespace Cairn.Storage.Tests;

public sealed class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void KnownVectors(string text, uint expected)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(expected, Crc32C.Compute(bytes));
        Assert.Equal(expected, Crc32C.AppendSoftware(0, bytes));
    }

    [Fact]
    public void ThirtyTwoZeroBytes_MatchTheRfc3720Vector() => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void HardwareAndSoftwarePaths_Agree_AndAppendEqualsOneShot()
    {
        var random = new Random(7);
        for (var length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var whole = Crc32C.Compute(data);
            Assert.Equal(whole, Crc32C.AppendSoftware(0, data));
            var split = random.Next(length + 1);
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
            Assert.Equal(whole, Crc32C.AppendSoftware(Crc32C.AppendSoftware(0, data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }
}
