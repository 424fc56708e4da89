using Cairn.Cli;

return await CairnCli.Create().Parse(args).InvokeAsync();
