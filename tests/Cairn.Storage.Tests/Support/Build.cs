using System.Text;
using Cairn.Consensus;

namespace Cairn.Storage.Tests.Support;

/// <summary>Short builders for ids and entries.</summary>
internal static class Build
{
    public static LogIndex I(ulong index) => new(index);
    public static Term T(ulong term) => new(term);

    /// <summary>Entry <paramref name="index"/>@<paramref name="term"/> whose data names it (so reads can be checked).</summary>
    public static Entry E(ulong index, ulong term, string? data = null) =>
        new(new Term(term), new LogIndex(index), EntryKind.Normal, Encoding.UTF8.GetBytes(data ?? $"{index}@{term}"));

    public static Entry[] Run(ulong first, ulong term, int count, int dataBytes = -1) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var index = first + (ulong)i;
            return dataBytes < 0 ? E(index, term)
                : new Entry(new Term(term), new LogIndex(index), EntryKind.Normal, Payload(index, term, dataBytes));
        }).ToArray();

    /// <summary>Deterministic bytes derived from the entry's position.</summary>
    public static byte[] Payload(ulong index, ulong term, int bytes)
    {
        var data = new byte[bytes];
        new Random(unchecked((int)(index * 31 + term))).NextBytes(data);
        return data;
    }

    public static string Text(Entry e) => Encoding.UTF8.GetString(e.Data.Span);

    public static void SameEntry(Entry expected, Entry actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Term, actual.Term);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
    }
}
