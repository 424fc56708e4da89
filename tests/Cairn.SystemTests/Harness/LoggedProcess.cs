using System.Diagnostics;

namespace Cairn.SystemTests.Harness;

/// <summary>
/// One run of a child process whose stdout and stderr are appended, line by line, to a log file and kept in memory
/// so tests can wait for a line. Stopped only by PID (SIGKILL through <see cref="Process.Kill()"/>, or the signal given).
/// </summary>
/// <remarks>Thread-safe: output arrives on the process's reader threads; tests read <see cref="Lines"/> from theirs.</remarks>
public sealed class LoggedProcess : IAsyncDisposable
{
    public static readonly TimeSpan ExitWaitMax = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _disposed;

    private LoggedProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid { get; private set; }

    public bool HasExited => _disposed || _process.HasExited;

    public int ExitCode => _disposed ? -1 : _process.ExitCode;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate) return [.. _lines];
        }
    }

    public static LoggedProcess Start(string file, IEnumerable<string> arguments, string logPath, string? workingDirectory = null) =>
        Start(file, arguments, logPath, workingDirectory, environment: null);

    /// <summary>As above, with variables added to (or, with a null value, removed from) the child's environment.</summary>
    public static LoggedProcess Start(string file, IEnumerable<string> arguments, string logPath, string? workingDirectory,
        IReadOnlyDictionary<string, string?>? environment)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? System.IO.Path.GetDirectoryName(logPath)!,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info };
        var self = new LoggedProcess(process, log);
        process.OutputDataReceived += (_, e) => self.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => self.OnLine(e.Data);
        lock (self._gate) log.WriteLine($"=== {DateTime.Now:HH:mm:ss.fff} start: {file} {string.Join(' ', info.ArgumentList)}");
        process.Start();
        self.Pid = process.Id;
        lock (self._gate) log.WriteLine($"=== pid {self.Pid}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return self;
    }

    /// <summary>Waits until a line satisfying <paramref name="match"/> has been written (including earlier ones).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var hit = _lines.FirstOrDefault(match);
                if (hit is not null) return hit;
                changed = _changed.Task;
            }
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(CancellationToken.None); // drains the output readers
                lock (_gate)
                {
                    if (_lines.FirstOrDefault(match) is { } late) return late;
                }
                throw new InvalidOperationException($"pid {Pid} exited with code {_process.ExitCode} before printing {what}");
            }
            try
            {
                await changed.WaitAsync(TimeSpan.FromMilliseconds(500), deadline.Token);
            }
            catch (TimeoutException)
            {
                // Re-check whether the process exited.
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"pid {Pid} did not print {what} within {timeout.TotalSeconds} s");
            }
        }
    }

    public void Signal(int signal) => Posix.Signal(Pid, signal);

    /// <summary>SIGKILL (unless already gone) and wait until the process is reaped.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        await WaitForExitAsync(ExitWaitMax);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(timeout);
        lock (_gate) _log.WriteLine($"=== {DateTime.Now:HH:mm:ss.fff} pid {Pid} exited with code {_process.ExitCode}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            await KillAsync();
        }
        finally
        {
            lock (_gate) _log.Dispose();
            _process.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        TaskCompletionSource changed;
        lock (_gate)
        {
            _lines.Add(line);
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The run is over; the in-memory copy is enough.
            }
            changed = _changed;
            _changed = NewSignal();
        }
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
