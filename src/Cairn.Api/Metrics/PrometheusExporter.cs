using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Cairn.Api.Metrics;

/// <summary>
/// Collects every instrument of one node's meter and renders them in the Prometheus
/// text exposition format (version 0.0.4). Counters are summed per label set, observable instruments keep the last
/// value they reported at the latest scrape, histograms count into fixed buckets (seconds, 0.5 ms to 10 s).
/// </summary>
/// <remarks>
/// Threading: measurements arrive on any thread and touch only per-series atomics; <see cref="Render"/> may run
/// concurrently with them (a scrape sees each series at some moment, not all series at one moment).
/// Instrument names are already Prometheus names (<c>cairn_http_requests_total</c>).
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new();
    private readonly Lock _scrape = new();

    /// <param name="metrics">The node's instruments: only its meter is exported (several nodes may share a process, as in tests).</param>
    public PrometheusExporter(CairnMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public string Render()
    {
        lock (_scrape)
        {
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var instrument = group.Key;
                var type = instrument switch
                {
                    Histogram<double> => "histogram",
                    Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => "counter",
                    _ => "gauge",
                };
                if (instrument.Description is { Length: > 0 } help) text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(help).Append('\n');
                text.Append("# TYPE ").Append(instrument.Name).Append(' ').Append(type).Append('\n');
                foreach (var series in group.Select(s => s.Value).OrderBy(s => s.Labels, StringComparer.Ordinal)) series.Write(text, instrument.Name, series.Labels);
            }
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    // The hot path (every request records a few measurements): the series is found by the tag values themselves,
    // so the label text is built once per series, not once per measurement.
    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = SeriesKey.Of(instrument, tags);
        if (!_series.TryGetValue(key, out var series))
        {
            var labels = Labels(tags);
            series = _series.GetOrAdd(key, instrument switch
            {
                Histogram<double> => new HistogramSeries(labels),
                Counter<long> or Counter<double> or UpDownCounter<long> => new SumSeries(labels),
                _ => new LastValueSeries(labels),
            });
        }
        series.Add(value);
    }

    /// <summary>An instrument and its tags in key order; more than three tags are keyed by their label text instead.</summary>
    private readonly record struct SeriesKey(Instrument Instrument, string? K0, object? V0, string? K1, object? V1, string? K2, object? V2, string? Text)
    {
        public static SeriesKey Of(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length > 3) return new(instrument, null, null, null, null, null, null, Labels(tags));
            KeyValuePair<string, object?> a = tags.Length > 0 ? tags[0] : default, b = tags.Length > 1 ? tags[1] : default, c = tags.Length > 2 ? tags[2] : default;
            if (tags.Length > 1 && string.CompareOrdinal(a.Key, b.Key) > 0) (a, b) = (b, a);
            if (tags.Length > 2 && string.CompareOrdinal(b.Key, c.Key) > 0) (b, c) = (c, b);
            if (tags.Length > 1 && string.CompareOrdinal(a.Key, b.Key) > 0) (a, b) = (b, a);
            return new(instrument, a.Key, a.Value, b.Key, b.Value, c.Key, c.Value, null);
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var pairs = tags.ToArray();
        Array.Sort(pairs, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        foreach (var (k, v) in pairs)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(k).Append("=\"");
            foreach (var c in Convert.ToString(v, CultureInfo.InvariantCulture) ?? "")
            {
                if (c is '\\' or '"') text.Append('\\').Append(c);
                else if (c == '\n') text.Append("\\n");
                else text.Append(c);
            }
            text.Append('"');
        }
        return text.ToString();
    }

    private static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private abstract class Series(string labels)
    {
        public string Labels { get; } = labels;

        public abstract void Add(double value);
        public abstract void Write(StringBuilder text, string name, string labels);

        protected static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
            text.Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private sealed class SumSeries(string labels) : Series(labels)
    {
        private double _sum;
        public override void Add(double value)
        {
            double seen, next;
            do
            {
                seen = Volatile.Read(ref _sum);
                next = seen + value;
            }
            while (Interlocked.CompareExchange(ref _sum, next, seen) != seen);
        }

        public override void Write(StringBuilder text, string name, string labels) => Line(text, name, labels, Volatile.Read(ref _sum));
    }

    private sealed class LastValueSeries(string labels) : Series(labels)
    {
        private double _value;
        public override void Add(double value) => Volatile.Write(ref _value, value);
        public override void Write(StringBuilder text, string name, string labels) => Line(text, name, labels, Volatile.Read(ref _value));
    }

    private sealed class HistogramSeries(string labels) : Series(labels)
    {
        private readonly long[] _counts = new long[Buckets.Length + 1];
        private readonly SumSeries _sum = new(labels);

        public override void Add(double value)
        {
            var i = 0;
            while (i < Buckets.Length && value > Buckets[i]) i++;
            Interlocked.Increment(ref _counts[i]);
            _sum.Add(value);
        }

        public override void Write(StringBuilder text, string name, string labels)
        {
            long cumulative = 0;
            var sep = labels.Length > 0 ? labels + "," : "";
            for (var i = 0; i <= Buckets.Length; i++)
            {
                cumulative += Volatile.Read(ref _counts[i]);
                var le = i < Buckets.Length ? Number(Buckets[i]) : "+Inf";
                Line(text, name + "_bucket", $"{sep}le=\"{le}\"", cumulative);
            }
            _sum.Write(text, name + "_sum", labels);
            Line(text, name + "_count", labels, cumulative);
        }
    }
}
